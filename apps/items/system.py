"""Serving a system collection (`directus_*`) through the same item service as items (query
language, reader, writer, access engine); each resource's views name their collection and add
their own rules."""

from apps.core import errors
from apps.schema.cache import project_schema
from apps.schema.description import CollectionInfo

from .views import ItemsBaseView


class SystemCollectionView(ItemsBaseView):
    collection_name: str = ""

    def collection(self) -> CollectionInfo:
        info = project_schema().collection(self.collection_name)
        if info is None:
            raise errors.CollectionNotFound(f"Unable to find collection: {self.collection_name}")
        return info


class SystemListView(SystemCollectionView):
    """`/<resource>`: list, create (object or array), batch update (array with keys)."""

    def get(self, request):
        return self.list_response(self.collection())

    def post(self, request):
        return self.create_response(self.collection())

    def patch(self, request):
        return self.batch_update_response(self.collection())


class SystemDetailView(SystemCollectionView):
    """`/<resource>/:id` (CSV ids too): read, update, delete."""

    def get(self, request, ids: str):
        return self.ids_response(self.collection(), ids)

    def patch(self, request, ids: str):
        return self.update_response(self.collection(), ids)

    def delete(self, request, ids: str):
        return self.delete_response(self.collection(), ids)
