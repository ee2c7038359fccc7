"""One description per collection, built from directus_collections, directus_fields,
directus_relations and the live table. Everything else (run-time models, the query language,
permissions, the fields endpoints, GraphQL, OpenAPI) reads collections through it."""

import keyword
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models

from . import introspect
from .introspect import ColumnInfo
from .models import Collection, Field, Relation
from .types import FieldType, behaviour_of, field_type, guess_type

SYSTEM_PREFIX = "directus_"

# Collections whose directus_fields rows describe the values stored in them (one per key).
KEY_VALUE_COLLECTIONS = frozenset({"directus_settings"})

# Relations to these collections are refused (spec: relations.md).
RESTRICTED_RELATION_TARGETS = frozenset(
    {"directus_activity", "directus_collections", "directus_fields", "directus_relations"}
)


@dataclass(frozen=True)
class RelationRow:
    id: int | None
    collection_many: str
    field_many: str
    collection_one: str | None
    field_one: str | None
    junction_field: str | None

    @classmethod
    def from_model(cls, row: Relation) -> "RelationRow":
        return cls(row.id, row.collection_many, row.field_many, row.collection_one, row.field_one, row.junction_field)


@dataclass(frozen=True)
class RelationInfo:
    """How a field reaches another collection.

    m2o: this field holds the primary key of `collection`.
    o2m: rows of `collection` whose `field_many` holds this item's primary key.
    m2m: rows of the junction `collection` whose `field_many` holds this item's key; their
         `junction_field` holds the key of `far_collection`.
    """

    kind: str
    collection: str
    field_many: str | None = None
    junction_field: str | None = None
    far_collection: str | None = None
    row: RelationRow | None = None


@dataclass
class FieldInfo:
    name: str
    type: str
    column: ColumnInfo | None
    meta: dict | None
    attname: str = ""
    relation: RelationInfo | None = None
    # What the type does with the field's values, looked up once. (Set when the field is made,
    # not cached on first use: writing an instance's __dict__ later slows every attribute read.)
    field_type: FieldType = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        self.field_type = behaviour_of(self.type)

    @property
    def alias(self) -> bool:
        return self.column is None

    @property
    def primary_key(self) -> bool:
        return bool(self.column and self.column.primary_key)

    @property
    def required(self) -> bool:
        if self.meta is not None:
            return bool(self.meta.get("required"))
        return bool(self.column and not self.column.nullable)


@dataclass
class CollectionInfo:
    """One collection as a worker knows it. Replaced whole when its schema changes, never
    changed in place: what is derived from its fields is worked out once."""

    name: str
    fields: dict[str, FieldInfo]
    meta: dict | None  # the directus_collections row, None when unmanaged
    table_exists: bool = True

    @property
    def managed(self) -> bool:
        return bool(self.meta and self.meta.get("managed", True))

    @property
    def is_system(self) -> bool:
        return self.name.startswith(SYSTEM_PREFIX)

    @property
    def single(self) -> bool:
        return bool(self.meta and self.meta.get("single"))

    @cached_property
    def primary_key(self) -> FieldInfo | None:
        return next((f for f in self.fields.values() if f.primary_key), None)

    def field_of_type(self, *types: str) -> FieldInfo | None:
        return next((f for f in self.fields.values() if f.type in types), None)

    @cached_property
    def status_field(self) -> FieldInfo | None:
        return self.field_of_type("status")

    @cached_property
    def sort_field(self) -> FieldInfo | None:
        return self.field_of_type("sort")

    @cached_property
    def owner_field(self) -> FieldInfo | None:
        return self.field_of_type("owner")

    @property
    def columns(self) -> list[FieldInfo]:
        return [f for f in self.fields.values() if not f.alias]

    def related_collections(self) -> set[str]:
        names = set()
        for info in self.fields.values():
            if info.relation:
                names.add(info.relation.collection)
                if info.relation.far_collection:
                    names.add(info.relation.far_collection)
        return names


def normalise_type(name: str | None) -> str:
    registered = field_type(name)
    return registered.name if registered else (name or "").lower()


_RESERVED_ATTRS = frozenset(dir(models.Model)) | {"pk", "objects"}


def attribute_name(column: str, index: int) -> str:
    """A safe Python attribute for a column; columns are addressed by their real names elsewhere."""
    safe = column.isidentifier() and not keyword.iskeyword(column) and "__" not in column
    if safe and column not in _RESERVED_ATTRS and not column.endswith("_") and not column.startswith("_"):
        return column
    return f"f{index}_" + re.sub(r"\W|_+", "_", column).strip("_")


def describe(alias: str, names: list[str] | None = None) -> dict[str, CollectionInfo]:
    """Describe the given collections (every table and managed collection when None).

    Three metadata queries plus the live-schema introspection, however many collections."""
    collection_rows = Collection.objects.using(alias)
    # NULLs first on every engine, as MySQL (Directus 8's engine) and SQLite sort them.
    field_rows = Field.objects.using(alias).order_by(models.F("sort").asc(nulls_first=True), "id")
    if names is not None:
        collection_rows = collection_rows.filter(collection__in=names)
        field_rows = field_rows.filter(collection__in=names)
    relations = [RelationRow.from_model(row) for row in Relation.objects.using(alias).order_by("id")]

    metas = {row.collection: _row_dict(row) for row in collection_rows}
    fields_by_collection: dict[str, list[dict]] = {}
    for row in field_rows:
        fields_by_collection.setdefault(row.collection, []).append(_row_dict(row))

    tables = introspect.table_names(alias)
    wanted = tables if names is None else [name for name in names if name in tables]
    live = introspect.columns(alias, wanted)
    all_names = list(dict.fromkeys([*wanted, *(names or metas)]))

    result = {}
    for name in all_names:
        if name not in live and name not in metas:
            continue
        result[name] = _describe_one(
            name, live.get(name), metas.get(name), fields_by_collection.get(name, []), relations
        )
    return result


def _row_dict(row: models.Model) -> dict:
    return {f.column: f.value_from_object(row) for f in row._meta.concrete_fields}


def _describe_one(
    name: str,
    columns: list[ColumnInfo] | None,
    meta: dict | None,
    field_rows: list[dict],
    relations: list[RelationRow],
) -> CollectionInfo:
    if name in KEY_VALUE_COLLECTIONS:
        field_rows = []  # its directus_fields rows describe the keys stored in it, not its columns
    rows_by_field = {row["field"]: row for row in field_rows}
    fields: dict[str, FieldInfo] = {}
    for column in columns or []:
        row = rows_by_field.get(column.name)
        directus_type = normalise_type(row["type"]) if row else guess_type(column.datatype)
        if row and field_type(directus_type) and field_type(directus_type).alias:
            # Metadata says alias but the table has a column: the column wins.
            directus_type = guess_type(column.datatype)
        fields[column.name] = FieldInfo(column.name, directus_type, column, row)
    for row in field_rows:
        registered = field_type(row["type"])
        if row["field"] in fields or not (registered and registered.alias):
            continue  # metadata of a column that does not exist is ignored
        fields[row["field"]] = FieldInfo(row["field"], registered.name, None, row)
    for index, info in enumerate(fields.values()):
        info.attname = attribute_name(info.name, index)
        info.relation = _relation_of(name, info, relations)
    return CollectionInfo(name=name, fields=fields, meta=meta, table_exists=columns is not None)


def _relation_of(collection: str, info: FieldInfo, relations: list[RelationRow]) -> RelationInfo | None:
    if not info.alias:
        row = next(
            (
                r
                for r in relations
                if r.collection_many == collection and r.field_many == info.name and r.collection_one
            ),
            None,
        )
        if row is not None and row.collection_one:
            return RelationInfo("m2o", row.collection_one, row=row)
        registered = field_type(info.type)
        if registered and registered.implicit_relation:
            return RelationInfo("m2o", registered.implicit_relation)
        return None
    if info.type not in {"o2m", "translation"}:
        return None
    row = next((r for r in relations if r.collection_one == collection and r.field_one == info.name), None)
    if row is None:
        return None
    if row.junction_field:
        partner = next(
            (
                r
                for r in relations
                if r.collection_many == row.collection_many and r.field_many == row.junction_field and r is not row
            ),
            None,
        )
        return RelationInfo(
            "m2m",
            row.collection_many,
            field_many=row.field_many,
            junction_field=row.junction_field,
            far_collection=partner.collection_one if partner else None,
            row=row,
        )
    return RelationInfo("o2m", row.collection_many, field_many=row.field_many, row=row)
