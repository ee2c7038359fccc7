"""`/:project/folders`: virtual folders of files (directus_folders) through the item engine."""

from apps.core import errors
from apps.items.system import SystemDetailView, SystemListView

COLLECTION = "directus_folders"


class FoldersView(SystemListView):
    collection_name = COLLECTION
    http_method_names = ["get", "post", "options"]  # folders.md: no batch update


class FolderView(SystemDetailView):
    collection_name = COLLECTION

    def get(self, request, ids: str):
        # folders.md: GET takes a numeric id only (Directus 8 routes `{id:[0-9]+}`).
        if not ids.isdigit():
            raise errors.RouteNotFound()
        return super().get(request, ids)
