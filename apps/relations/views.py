from apps.core import errors
from apps.core.serialization import row_to_dict
from apps.items.system import SystemCollectionView
from apps.schema import services


def _ids(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part]
    except ValueError:
        raise errors.ItemNotFound() from None


class RelationListView(SystemCollectionView):
    collection_name = "directus_relations"

    def get(self, request):
        return self.list_response(self.collection())

    def post(self, request):
        data = request.data
        items = data if isinstance(data, list) else [data]
        created = services.create_relations(items, request.user)
        rows = [row_to_dict(row) for row in created]
        return self.respond(rows if isinstance(data, list) else rows[0])


class RelationDetailView(SystemCollectionView):
    collection_name = "directus_relations"

    def get(self, request, ids: str):
        return self.ids_response(self.collection(), ids)

    def patch(self, request, ids: str):
        wanted = _ids(ids)
        updated = services.update_relations(wanted, request.data, request.user)
        data = [row_to_dict(row) for row in updated]
        return self.respond(data if "," in ids else data[0])

    def delete(self, request, ids: str):
        services.delete_relations(_ids(ids), request.user)
        return self.respond(None)
