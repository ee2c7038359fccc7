from apps.access.engine import Access
from apps.core import errors
from apps.core.views import DirectusView
from apps.schema import services
from apps.schema.cache import project_schema


def _collection(name: str):
    info = project_schema().collection(name)
    if info is None or not info.table_exists:
        raise errors.CollectionNotFound(f"Unable to find collection: {name}")
    return info


def _reader(identity) -> Access:
    """The caller's access, once read permission on directus_fields is checked (fields.md)."""
    access = Access.for_identity(identity)
    access.check_read(project_schema().collection("directus_fields"))
    return access


def _described(access: Access, info, *, readable_only: bool = False) -> list:
    """The field definitions of a collection the caller sees: none read-blacklisted for every
    status they may read (and, with `readable_only`, none of a collection they may not read)."""
    if readable_only and not access.can_read(info):
        return []
    names = access.described_fields(info)
    return [field for name, field in info.fields.items() if names is None or name in names]


class AllFieldsView(DirectusView):
    def get(self, request):
        access = _reader(request.user)
        schema = project_schema()
        data = [
            services.field_object(info.name, field)
            for info in sorted(schema.collections.values(), key=lambda info: info.name)
            if info.table_exists
            for field in _described(access, info, readable_only=True)
        ]
        return self.respond(data)


class CollectionFieldsView(DirectusView):
    def get(self, request, collection: str):
        access = _reader(request.user)
        info = _collection(collection)
        return self.respond([services.field_object(collection, field) for field in _described(access, info)])

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
        access = _reader(request.user)
        info = _collection(collection)
        access.check_read(info)
        described = access.described_fields(info)
        found = []
        for name in names.split(","):
            if name not in info.fields:
                raise errors.FieldNotFound(f'Unable to find field "{name}"')
            if described is not None and name not in described:
                raise errors.RelatedDataDenied(f'Unable to access "{name}" related data')
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
