from apps.core import errors
from apps.core.serialization import row_to_dict
from apps.core.views import DirectusView
from apps.schema import services
from apps.schema.access import require_reader
from apps.schema.models import Relation


def _ids(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part]
    except ValueError:
        raise errors.ItemNotFound() from None


class RelationListView(DirectusView):
    def get(self, request):
        require_reader(request.user)
        return self.respond([row_to_dict(row) for row in Relation.objects.order_by("id")])

    def post(self, request):
        data = request.data
        items = data if isinstance(data, list) else [data]
        created = services.create_relations(items, request.user)
        rows = [row_to_dict(row) for row in created]
        return self.respond(rows if isinstance(data, list) else rows[0])


class RelationDetailView(DirectusView):
    def get(self, request, ids: str):
        require_reader(request.user)
        wanted = _ids(ids)
        rows = {row.pk: row for row in Relation.objects.filter(pk__in=wanted)}
        if len(rows) != len(set(wanted)):
            raise errors.ItemNotFound()
        data = [row_to_dict(rows[pk]) for pk in wanted]
        return self.respond(data if "," in ids else data[0])

    def patch(self, request, ids: str):
        wanted = _ids(ids)
        updated = services.update_relations(wanted, request.data, request.user)
        data = [row_to_dict(row) for row in updated]
        return self.respond(data if "," in ids else data[0])

    def delete(self, request, ids: str):
        services.delete_relations(_ids(ids), request.user)
        return self.respond(None)
