"""The snapshot of the current project's data model, read from its collection descriptions."""

from django.db import connections

from apps.projects.context import require_project
from apps.schema import services
from apps.schema.cache import project_schema
from apps.schema.definitions import METADATA_KEYS, spec_from_column
from apps.schema.description import SYSTEM_PREFIX, CollectionInfo, FieldInfo
from apps.schema.models import Relation

from . import document
from .canonical import COLLECTION_DEFAULTS, RELATION_KEYS, field_form
from .document import Snapshot


def engine_name(alias: str) -> str:
    connection = connections[alias]
    if connection.vendor == "mysql":
        return "mariadb" if connection.mysql_is_mariadb else "mysql"
    return connection.vendor


def take_snapshot() -> dict:
    """The current project's snapshot document."""
    return document.as_document(current_state())


def current_state() -> Snapshot:
    """The current project's user collections, their fields and relations, in snapshot form."""
    alias = require_project().alias
    schema = project_schema()
    user_collections = {
        name: info
        for name, info in schema.collections.items()
        if info.table_exists and not name.startswith(SYSTEM_PREFIX)
    }
    collections = {name: collection_form(info) for name, info in sorted(user_collections.items())}
    known = set(collections) | {name for name in schema.collections if name.startswith(SYSTEM_PREFIX)}
    relations = {}
    for row in Relation.objects.using(alias).exclude(collection_many__startswith=SYSTEM_PREFIX).order_by("id"):
        relation = {key: getattr(row, key) or None for key in RELATION_KEYS}
        key = (relation["collection_many"], relation["field_many"])
        # Rows of a collection that is gone (or to one) do nothing: they are no part of the model.
        if key in relations or row.collection_many not in collections:
            continue
        if relation["collection_one"] is not None and relation["collection_one"] not in known:
            continue
        relations[key] = relation
    return Snapshot(engine=engine_name(alias), collections=collections, relations=relations)


def collection_form(info: CollectionInfo) -> dict:
    wire = services.collection_meta_object(info)
    form = {"collection": info.name, **{key: wire[key] for key in COLLECTION_DEFAULTS}}
    # `group` holds the directus_fields id of a field of the same collection: its name travels.
    group_names = {field.meta["id"]: name for name, field in info.fields.items() if field.meta}
    form["fields"] = {name: _field_form(info.name, field, group_names) for name, field in info.fields.items()}
    return form


def _field_form(collection: str, info: FieldInfo, group_names: dict) -> dict:
    wire = services.field_object(collection, info)
    metadata = {key: wire[key] for key in METADATA_KEYS}
    metadata["group"] = group_names.get(wire["group"])
    spec = spec_from_column(info.type, info.column) if info.column is not None else None
    return field_form(info.name, info.type, spec, metadata)
