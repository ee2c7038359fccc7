"""`/:project/permissions` (permissions.md): item operations on directus_permissions, and the
caller's own rows (`/permissions/me`, `/permissions/me/:collection`)."""

from apps.core import errors
from apps.items import listing
from apps.items.guard import Guard
from apps.items.system import SystemCollectionView

from . import services


class PermissionsBaseView(SystemCollectionView):
    collection_name = services.COLLECTION


class PermissionsView(PermissionsBaseView):
    def get(self, request):
        return self.list_response(self.collection())

    def post(self, request):
        return self.create_response(self.collection(), batch=True)

    def patch(self, request):
        return self.batch_update_response(self.collection())


class PermissionView(PermissionsBaseView):
    def get(self, request, ids: str):
        return self.ids_response(self.collection(), ids)

    def patch(self, request, ids: str):
        return self.update_response(self.collection(), ids)

    def delete(self, request, ids: str):
        if "," in ids:
            raise errors.ItemNotFound(f'Item with id "{ids}" not found')  # a single id only
        return self.delete_response(self.collection(), ids)


class MyPermissionsView(PermissionsBaseView):
    """The caller's role's rows, whatever the rows on directus_permissions itself say."""

    def _items(self, rows) -> list[dict]:
        if not rows:
            return []
        reader = self.reader(Guard())
        return listing.read_ids(reader, self.collection(), [row.pk for row in rows], self.query)

    def get(self, request, collection: str | None = None):
        rows = services.own_rows(request.user, collection)
        items = self._items(rows)
        if collection is not None and len(rows) == 1 and rows[0].status is None and items:
            return self.respond(items[0])
        return self.respond(items)
