"""`/:project/roles` (roles.md): item operations on directus_roles. Creating a role also gives it
the default permission rows; roles 1 and 2 cannot be deleted (`services.RoleWriteHooks`)."""

from apps.core import errors
from apps.items.system import SystemCollectionView

from . import services


class RolesBaseView(SystemCollectionView):
    collection_name = services.COLLECTION


class RolesView(RolesBaseView):
    def get(self, request):
        return self.list_response(self.collection())

    def post(self, request):
        return self.create_response(self.collection(), batch=False)


def single(ids: str) -> str:
    if "," in ids:
        raise errors.ItemNotFound(f'Item with id "{ids}" not found')
    return ids


class RoleView(RolesBaseView):
    def get(self, request, ids: str):
        return self.ids_response(self.collection(), ids)

    def patch(self, request, ids: str):
        return self.update_response(self.collection(), single(ids))

    def delete(self, request, ids: str):
        return self.delete_response(self.collection(), single(ids))
