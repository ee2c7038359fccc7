"""`/:project/folders`: virtual folders of files (directus_folders) through the item engine."""

from apps.core import errors
from apps.items.system import SystemCollectionView

COLLECTION = "directus_folders"


class FoldersView(SystemCollectionView):
    collection_name = COLLECTION

    def get(self, request):
        return self.list_response(self.collection())

    def post(self, request):
        return self.create_response(self.collection())


class FolderView(SystemCollectionView):
    collection_name = COLLECTION

    def get(self, request, ids: str):
        # folders.md: GET takes a numeric id only (Directus 8 routes `{id:[0-9]+}`).
        if not ids.isdigit():
            raise errors.RouteNotFound()
        return self.ids_response(self.collection(), ids)

    def patch(self, request, ids: str):
        return self.update_response(self.collection(), ids)

    def delete(self, request, ids: str):
        return self.delete_response(self.collection(), ids)
