from apps.core import errors
from apps.core.views import DirectusView
from apps.schema import services
from apps.schema.access import require_reader
from apps.schema.cache import project_schema


def _collection(name: str):
    info = project_schema().collection(name)
    if info is None or not info.table_exists:
        raise errors.CollectionNotFound(f"Unable to find collection: {name}")
    return info


class AllFieldsView(DirectusView):
    def get(self, request):
        require_reader(request.user)
        schema = project_schema()
        data = [
            services.field_object(info.name, field)
            for info in sorted(schema.collections.values(), key=lambda info: info.name)
            if info.table_exists
            for field in info.fields.values()
        ]
        return self.respond(data)


class CollectionFieldsView(DirectusView):
    def get(self, request, collection: str):
        require_reader(request.user)
        info = _collection(collection)
        return self.respond([services.field_object(collection, field) for field in info.fields.values()])

    def post(self, request, collection: str):
        field = services.add_field(collection, request.data, request.user)
        return self.respond(services.field_object(collection, field))

    def patch(self, request, collection: str):
        if not isinstance(request.data, list):
            raise errors.InvalidPayload()
        fields = services.update_fields(collection, request.data, request.user)
        return self.respond([services.field_object(collection, field) for field in fields])


class FieldDetailView(DirectusView):
    def get(self, request, collection: str, names: str):
        require_reader(request.user)
        info = _collection(collection)
        found = []
        for name in names.split(","):
            if name not in info.fields:
                raise errors.FieldNotFound(f'Unable to find field "{name}"')
            found.append(services.field_object(collection, info.fields[name]))
        return self.respond(found if "," in names else found[0])

    def patch(self, request, collection: str, names: str):
        if not isinstance(request.data, dict):
            raise errors.InvalidPayload()
        items = [{**request.data, "field": name} for name in names.split(",")]
        fields = services.update_fields(collection, items, request.user)
        data = [services.field_object(collection, field) for field in fields]
        return self.respond(data if "," in names else data[0])

    def delete(self, request, collection: str, names: str):
        delete_junction = str(self.query.get("delete_junction", "")).lower() in {"1", "true"}
        services.delete_field(collection, names, request.user, delete_junction=delete_junction)
        return self.respond(None)
