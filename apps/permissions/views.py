"""`/:project/permissions` (permissions.md): item operations on directus_permissions, and the
caller's own rows (`/permissions/me`, `/permissions/me/:collection`)."""

from apps.core import errors
from apps.items.system import SystemCollectionView, SystemDetailView, SystemListView

from . import services


class PermissionsBaseView(SystemCollectionView):
    collection_name = services.COLLECTION


class PermissionsView(PermissionsBaseView, SystemListView):
    pass


class PermissionView(PermissionsBaseView, SystemDetailView):
    def delete(self, request, ids: str):
        if "," in ids:
            raise errors.ItemNotFound(f'Item with id "{ids}" not found')  # a single id only
        return self.delete_response(self.collection(), ids)


class MyPermissionsView(PermissionsBaseView):
    """The caller's role's rows, whatever the rows on directus_permissions itself say."""

    def _items(self, rows) -> list[dict]:
        if not rows:
            return []
        keys = [row.pk for row in rows]
        return self.service().as_server().read(self.collection(), keys, self.query).data or []

    def get(self, request, collection: str | None = None):
        rows = services.own_rows(request.user, collection)
        items = self._items(rows)
        if collection is not None and len(rows) == 1 and rows[0].status is None and items:
            return self.respond(items[0])
        return self.respond(items)
