"""`/:project/revisions`: snapshots of items, read-only."""

from apps.items.system import SystemCollectionView

COLLECTION = "directus_revisions"


class RevisionListView(SystemCollectionView):
    collection_name = COLLECTION

    def get(self, request):
        return self.list_response(self.collection())


class RevisionDetailView(SystemCollectionView):
    collection_name = COLLECTION

    def get(self, request, ids: str):
        return self.ids_response(self.collection(), ids)
