from apps.access.engine import Access
from apps.core import errors
from apps.core.query.fields import parse_fields
from apps.core.views import DirectusView
from apps.schema import services
from apps.schema.cache import project_schema


def _check_reader(identity, schema) -> None:
    """Read permission on directus_collections (every role's default row; the public role has none)."""
    Access.for_identity(identity).check_read(schema.collection("directus_collections"))


def _select(obj: dict, tree) -> dict:
    names = tree.select(obj.keys())
    return {name: obj[name] for name in names if name in obj}


class CollectionListView(DirectusView):
    def get(self, request):
        schema = project_schema()
        _check_reader(request.user, schema)
        collections = sorted(schema.collections.values(), key=lambda info: (info.meta is None, info.name))
        objects = [services.collection_object(info) for info in collections if info.table_exists]
        query = self.query
        limit, offset = query.get("limit"), query.get("offset")
        if limit not in (None, "") and offset not in (None, ""):
            try:
                start, size = int(offset), int(limit)
            except ValueError:
                raise errors.InvalidRequest("limit and offset must be numbers") from None
            objects = objects[start : None if size < 0 else start + size]
        tree = parse_fields(query.get("fields"))
        data = [_select(obj, tree) for obj in objects]
        meta = _meta(query, len(data), len(schema.collections))
        return self.respond(data, meta=meta)

    def post(self, request):
        info = services.create_collection(request.data, request.user)
        return self.respond(services.collection_meta_object(info))


class CollectionDetailView(DirectusView):
    def get(self, request, names: str):
        schema = project_schema()
        _check_reader(request.user, schema)
        tree = parse_fields(self.query.get("fields"))
        found = []
        for name in names.split(","):
            info = schema.collection(name)
            if info is None or not info.table_exists:
                raise errors.CollectionNotFound(f"Unable to find collection: {name}")
            found.append(_select(services.collection_object(info), tree))
        return self.respond(found if "," in names else found[0])

    def patch(self, request, names: str):
        info = services.update_collection(names, request.data, request.user)
        return self.respond(services.collection_meta_object(info))

    def delete(self, request, names: str):
        services.delete_collection(names, request.user)
        return self.respond(None)


def _meta(query: dict, result_count: int, total_count: int) -> dict | None:
    requested = query.get("meta")
    if not requested:
        return None
    keys = {key.strip() for key in str(requested).split(",")}
    meta = {}
    if keys & {"*", "result_count"}:
        meta["result_count"] = result_count
    if keys & {"*", "total_count"}:
        meta["total_count"] = total_count
    return meta
