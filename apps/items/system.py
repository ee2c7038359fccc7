"""Reading system collections (`directus_*`) with the same query language and reader as items."""

from apps.core import errors
from apps.schema.cache import project_schema
from apps.schema.description import CollectionInfo

from . import listing
from .reader import messages_for
from .views import ItemsBaseView, split_ids


class SystemCollectionView(ItemsBaseView):
    """List and id reads of one system collection; subclasses name it and add their writes."""

    collection_name: str = ""

    def collection(self) -> CollectionInfo:
        info = project_schema().collection(self.collection_name)
        if info is None:
            raise errors.CollectionNotFound(f"Unable to find collection: {self.collection_name}")
        return info

    def list_response(self, request):
        info = self.collection()
        guard = self.guard()
        guard.check_read(info)
        reader = self.reader(guard)
        data, meta = listing.read_list(reader, info, self.query, request)
        return self.respond(data, meta=meta, messages=messages_for(reader.denied))

    def ids_response(self, ids: str):
        info = self.collection()
        guard = self.guard()
        many = "," in ids
        guard.check_read(info)
        reader = self.reader(guard)
        items = listing.read_ids(reader, info, split_ids(info, ids), self.query)
        if not many and not items:
            raise errors.ItemNotFound(f'Item with id "{ids}" not found')
        meta = listing.item_meta(info, self.query, many=many)
        return self.respond(items if many else items[0], meta=meta, messages=messages_for(reader.denied))
