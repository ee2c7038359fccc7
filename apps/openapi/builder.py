"""The OpenAPI 3.0 document of a project, built from the collection descriptions.

The document has two parts: the system endpoints (fixed; their item schemas are the system
collections' real fields when the caller may read them) and, for every user collection the caller
may read, a component schema of its readable fields plus `/items/<collection>` and
`/items/<collection>/{id}` paths.

Built documents are kept per (project, schema version, caller's role, signature of what that role
may read), so a field added through REST (which moves the version) shows up on the next request and
a permission change gives a new signature. The cache is bounded: building a document for a newer
version of a project drops that project's older documents, and beyond CACHE_SIZE entries the least
recently used one goes."""

import hashlib
import re
from urllib.parse import quote

from apps.core.versioned_cache import VersionedCache
from apps.items.reader import visible_fields
from apps.items.services import is_required
from apps.schema.description import SYSTEM_PREFIX, CollectionInfo, FieldInfo
from apps.schema.status import required_statuses, status_mapping

CACHE_SIZE = 64
OPENAPI_VERSION = "3.0.3"

_documents = VersionedCache(lambda: CACHE_SIZE)

# -- What the caller may read ------------------------------------------------------------------


def visibility(collections: dict[str, CollectionInfo], guard) -> dict[str, tuple[str, ...]]:
    """Collection -> readable field names, as the reader serves them (no computed fields)."""
    return visible_fields(collections, guard)


def signature(visible: dict[str, tuple[str, ...]]) -> str:
    return hashlib.sha256(repr(sorted(visible.items())).encode()).hexdigest()


def document_for(project, project_schema, role_key, visible: dict[str, tuple[str, ...]], api_version: str) -> dict:
    """The (cached) document; treat it as read-only."""
    return _documents.get_or_build(
        project,
        project_schema.global_version,
        (role_key, signature(visible)),
        lambda: build_document(project.key, project_schema.collections, visible, api_version),
    )


def cached_keys() -> list[tuple]:
    return _documents.keys()


def clear() -> None:
    _documents.clear()


# -- Field types -------------------------------------------------------------------------------


def field_schema(info: FieldInfo) -> dict | None:
    """The schema of a field's value (its type's, apps.schema.types); None for presentation-only
    aliases."""
    schema = info.field_type.openapi_schema(info)
    column = info.column
    if schema is None or column is None:
        return schema
    if column.nullable and not column.primary_key:
        schema["nullable"] = True
    if column.primary_key and column.auto_increment:
        schema["readOnly"] = True
    note = (info.meta or {}).get("note")
    if isinstance(note, str) and note and "description" not in schema:
        schema["description"] = note
    return schema


def collection_schema(info: CollectionInfo, fields: tuple[str, ...]) -> dict:
    properties = {}
    statuses = list(status_mapping(info)) if info.status_field is not None else []
    for name in fields:
        schema = field_schema(info.fields[name])
        if schema is not None and statuses and info.status_field.name == name:
            schema["enum"] = statuses + ([None] if schema.get("nullable") else [])
        if schema is not None:
            properties[name] = schema
    schema = {"type": "object", "properties": properties}
    note = (info.meta or {}).get("note")
    if isinstance(note, str) and note:
        schema["description"] = note
    return schema


def create_schema(info: CollectionInfo, fields: tuple[str, ...], item: dict) -> dict:
    """A create body: the item with the values a create must give (none listed when the status
    mapping decides which statuses check them)."""
    if required_statuses(info) is not None:
        return item
    required = [name for name in fields if not info.fields[name].alias and is_required(info.fields[name])]
    return {"allOf": [item], "required": required} if required else item


# -- Shared components -------------------------------------------------------------------------


def _param(name: str, description: str, schema: dict, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema, **extra}


PARAMETERS = {
    "fields": _param(
        "fields",
        "Fields to return, comma-separated; `*` for all, `author.*` for related ones.",
        {"type": "string"},
    ),
    "filter": _param(
        "filter",
        "Conditions, e.g. `filter[title][contains]=x`.",
        {"type": "object", "additionalProperties": True},
        style="deepObject",
        explode=True,
    ),
    "sort": _param("sort", "Fields to sort on, comma-separated; `-field` descending, `?` random.", {"type": "string"}),
    "limit": _param("limit", "Most items returned; `-1` for all.", {"type": "integer"}),
    "offset": _param("offset", "Items skipped.", {"type": "integer", "minimum": 0}),
    "page": _param("page", "Page of `limit` items (1-based).", {"type": "integer", "minimum": 1}),
    "meta": _param(
        "meta", "Metadata to include: `*` or `total_count`, `result_count`, `filter_count`...", {"type": "string"}
    ),
    "q": _param("q", "Search every text field for this value.", {"type": "string"}),
    "status": _param("status", "Statuses to return, comma-separated; `*` for all.", {"type": "string"}),
}
LIST_PARAMS = ["fields", "filter", "sort", "limit", "offset", "page", "meta", "q", "status"]
ONE_PARAMS = ["fields", "meta", "status"]

ITEM = "DirectusItem"


def _ref(name: str, kind: str = "schemas") -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _components() -> dict:
    return {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Access token or static user token."},
            "accessToken": {"type": "apiKey", "in": "query", "name": "access_token"},
        },
        "parameters": {name: dict(param) for name, param in PARAMETERS.items()},
        "schemas": {
            "DirectusError": {
                "type": "object",
                "required": ["error"],
                "properties": {
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
                    }
                },
            },
            "DirectusMeta": {
                "type": "object",
                "properties": {
                    "collection": {"type": "string"},
                    "type": {"type": "string", "enum": ["collection", "item"]},
                    "result_count": {"type": "integer"},
                    "total_count": {"type": "integer"},
                    "filter_count": {"type": "integer"},
                    "status_count": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "page": {"type": "integer"},
                    "page_count": {"type": "integer"},
                },
                "additionalProperties": True,
            },
            ITEM: {"type": "object", "additionalProperties": True},
            "DirectusAuthentication": {
                "type": "object",
                "properties": {
                    "token": {"type": "string"},
                    "user": {"type": "object", "additionalProperties": True},
                },
            },
        },
        "responses": {
            "Error": {"description": "Error", "content": _json(_ref("DirectusError"))},
            "NoContent": {"description": "Done, no content"},
        },
    }


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _envelope(data: dict, *, meta: bool = True) -> dict:
    properties = {"data": data, "public": {"type": "boolean"}}
    if meta:
        properties["meta"] = _ref("DirectusMeta")
    return {"type": "object", "required": ["data"], "properties": properties}


class _Builder:
    def __init__(self):
        self.paths: dict[str, dict] = {}
        self.operation_ids: set[str] = set()
        self.tags: dict[str, str] = {}

    def operation_id(self, wanted: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", wanted)
        candidate, n = base, 2
        while candidate in self.operation_ids:
            candidate, n = f"{base}_{n}", n + 1
        self.operation_ids.add(candidate)
        return candidate

    def add(self, path: str, method: str, op_id: str, tag: str, summary: str, responses: dict, **extra) -> None:
        self.tags.setdefault(tag, "")
        operation = {
            "tags": [tag],
            "summary": summary,
            "operationId": self.operation_id(op_id),
            **extra,
            "responses": {**responses, "default": _ref("Error", "responses")},
        }
        self.paths.setdefault(path, {})[method] = operation

    def resource(
        self, path: str, tag: str, item: dict, *, key="id", writable=True, one=True, noun=None, create=None, batch=False
    ):
        """The list/create (and batch update) and read/update/delete operations of a collection of rows."""
        noun = noun or tag
        params = [_ref(name, "parameters") for name in LIST_PARAMS]
        one_params = [_ref(name, "parameters") for name in ONE_PARAMS]
        listed = {"200": {"description": "Items", "content": _json(_envelope({"type": "array", "items": item}))}}
        single = {"200": {"description": "Item", "content": _json(_envelope(item))}}
        body = {"required": True, "content": _json(item)}
        self.add(path, "get", f"list_{noun}", tag, f"List {noun}", listed, parameters=params)
        if writable:
            created = {"required": True, "content": _json(create or item)}
            self.add(path, "post", f"create_{noun}", tag, f"Create {noun}", single, requestBody=created)
        if writable and batch:
            many = {
                "required": True,
                "description": f"Items to update, each with its `{key}`; all or none are written.",
                "content": _json({"type": "array", "items": item, "minItems": 1}),
            }
            self.add(path, "patch", f"update_many_{noun}", tag, f"Update several {noun}", listed, requestBody=many)
        if not one:
            return
        item_path = f"{path}/{{{key}}}"
        key_param = {
            "name": key,
            "in": "path",
            "required": True,
            "description": "Primary key (comma-separated for several).",
            "schema": {"type": "string"},
        }
        self.paths.setdefault(item_path, {})["parameters"] = [key_param]
        self.add(item_path, "get", f"read_{noun}", tag, f"Read {noun}", single, parameters=one_params)
        if writable:
            self.add(item_path, "patch", f"update_{noun}", tag, f"Update {noun}", single, requestBody=body)
            self.add(
                item_path, "delete", f"delete_{noun}", tag, f"Delete {noun}", {"204": _ref("NoContent", "responses")}
            )


# System endpoints: (path, tag, system collection whose fields describe the rows, writable,
# batch update through PATCH on the list).
SYSTEM_RESOURCES = [
    ("/users", "users", "directus_users", True, True),
    ("/roles", "roles", "directus_roles", True, False),
    ("/permissions", "permissions", "directus_permissions", True, True),
    ("/files", "files", "directus_files", True, True),
    ("/folders", "folders", "directus_folders", True, False),
    ("/activity", "activity", "directus_activity", False, False),
    ("/revisions", "revisions", "directus_revisions", False, False),
    ("/relations", "relations", "directus_relations", True, False),
]


def _schema_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "collection"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def build_document(
    project_key: str, collections: dict[str, CollectionInfo], visible: dict[str, tuple[str, ...]], api_version: str
) -> dict:
    components = _components()
    schemas = components["schemas"]
    taken = set(schemas)
    refs: dict[str, dict] = {}
    for name, fields in visible.items():
        schema_name = _schema_name(name, taken)
        schemas[schema_name] = collection_schema(collections[name], fields)
        refs[name] = _ref(schema_name)

    def item_of(collection: str) -> dict:
        return refs.get(collection, _ref(ITEM))

    b = _Builder()
    auth_body = {
        "type": "object",
        "required": ["email", "password"],
        "properties": {
            "email": {"type": "string", "format": "email"},
            "password": {"type": "string", "format": "password"},
            "mode": {"type": "string", "enum": ["jwt", "cookie"]},
            "otp": {"type": "string"},
        },
    }
    auth_ok = {
        "200": {"description": "Signed in", "content": _json(_envelope(_ref("DirectusAuthentication"), meta=False))}
    }
    b.add(
        "/auth/authenticate",
        "post",
        "authenticate",
        "auth",
        "Sign in",
        auth_ok,
        requestBody={"required": True, "content": _json(auth_body)},
        security=[{}],
    )
    refresh_body = {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}
    b.add(
        "/auth/refresh",
        "post",
        "refresh",
        "auth",
        "Refresh an access token",
        auth_ok,
        requestBody={"required": True, "content": _json(refresh_body)},
        security=[{}],
    )
    me = {"200": {"description": "The current user", "content": _json(_envelope(item_of("directus_users")))}}
    me_params = [_ref("fields", "parameters"), _ref("meta", "parameters")]
    b.add("/users/me", "get", "read_me", "users", "Read the current user", me, parameters=me_params)
    b.add(
        "/users/me",
        "patch",
        "update_me",
        "users",
        "Update the current user",
        me,
        requestBody={"required": True, "content": _json(item_of("directus_users"))},
    )
    for path, tag, collection, writable, batch in SYSTEM_RESOURCES:
        b.resource(path, tag, item_of(collection), writable=writable, batch=batch)

    settings = {"200": {"description": "Settings", "content": _json(_envelope({"type": "array", "items": _ref(ITEM)}))}}
    b.add(
        "/settings",
        "get",
        "list_settings",
        "settings",
        "List settings",
        settings,
        parameters=[_ref(name, "parameters") for name in LIST_PARAMS],
    )
    b.add(
        "/settings",
        "post",
        "create_setting",
        "settings",
        "Create a setting",
        {"200": {"description": "Setting", "content": _json(_envelope(_ref(ITEM)))}},
        requestBody={"required": True, "content": _json(_ref(ITEM))},
    )
    b.resource("/collections", "collections", _ref(ITEM), key="collection")
    fields_list = {
        "200": {"description": "Fields", "content": _json(_envelope({"type": "array", "items": _ref(ITEM)}))}
    }
    field_one = {"200": {"description": "Field", "content": _json(_envelope(_ref(ITEM)))}}
    field_body = {"required": True, "content": _json(_ref(ITEM))}
    collection_param = {"name": "collection", "in": "path", "required": True, "schema": {"type": "string"}}
    field_param = {"name": "field", "in": "path", "required": True, "schema": {"type": "string"}}
    b.add("/fields", "get", "list_all_fields", "fields", "List the fields of every collection", fields_list)
    b.paths.setdefault("/fields/{collection}", {})["parameters"] = [collection_param]
    b.add("/fields/{collection}", "get", "list_fields", "fields", "List a collection's fields", fields_list)
    b.add("/fields/{collection}", "post", "create_field", "fields", "Create a field", field_one, requestBody=field_body)
    b.paths.setdefault("/fields/{collection}/{field}", {})["parameters"] = [collection_param, field_param]
    b.add("/fields/{collection}/{field}", "get", "read_field", "fields", "Read a field", field_one)
    b.add(
        "/fields/{collection}/{field}",
        "patch",
        "update_field",
        "fields",
        "Update a field",
        field_one,
        requestBody=field_body,
    )
    b.add(
        "/fields/{collection}/{field}",
        "delete",
        "delete_field",
        "fields",
        "Delete a field",
        {"204": _ref("NoContent", "responses")},
    )
    b.add(
        "/server/ping",
        "get",
        "ping",
        "server",
        "Is the server up (outside the project: /server/ping)",
        {"200": {"description": "pong", "content": {"text/plain": {"schema": {"type": "string", "enum": ["pong"]}}}}},
        security=[{}],
    )

    for name in visible:
        if name.startswith(SYSTEM_PREFIX):
            continue
        create = create_schema(collections[name], visible[name], refs[name])
        path = f"/items/{quote(name, safe='-_.~')}"
        b.resource(path, f"items: {name}", refs[name], noun=name, create=create, batch=True)

    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"Directus API: {project_key}",
            "version": api_version,
            "description": (
                "The Directus 8 REST API of this project, limited to what the caller's role may read. "
                "Responses wrap their payload in `data` (plus `meta` when asked); errors are "
                '`{"error": {"code", "message"}}`.'
            ),
        },
        "tags": [{"name": tag} for tag in b.tags],
        "security": [{"bearerAuth": []}, {"accessToken": []}, {}],
        "paths": b.paths,
        "components": components,
    }
