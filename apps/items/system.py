"""Serving a system collection (`directus_*`) with the same query language, reader, writer and
access engine as items; each resource's views name their collection and add their own rules."""

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
