"""Directus types (`string`, `m2o`, `status`...) and what each does with its values.

One entry per type says whether it has a column at all, the datatype it defaults to, which
collection it points at implicitly, and its behaviour everywhere a value goes: as sent
(apps.schema.wire), as stored (apps.schema.columns), filled by the server, as a GraphQL scalar
and an OpenAPI schema, and how it is filtered. A field's type is looked up once, when its
collection is described (`FieldInfo.field_type`); readers, writers, GraphQL, OpenAPI and the
query language ask it instead of testing type names.

The SQL datatypes a column may have are in apps.schema.datatypes.
"""

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING

from django.utils.text import slugify

from . import columns, wire
from .datatypes import INTEGER_DATATYPES, NUMBER_DATATYPES, is_integer, is_wide_integer

if TYPE_CHECKING:
    from .description import FieldInfo


@dataclass(frozen=True)
class ServerFill:
    """A value the server writes itself, whatever the payload says."""

    # The writer's actor -> the value: the request's time or its user.
    value: Callable[[object], object]
    # Written again by every update; otherwise kept as created (a value given on update is dropped).
    on_update: bool
    # Collections in which the client writes it.
    not_in: frozenset[str] = frozenset()


REQUEST_TIME = attrgetter("now")
REQUEST_USER = attrgetter("user_id")  # 0 for the public role

# OpenAPI schemas of the values of several types.
STRING_SCHEMA = {"type": "string"}
INTEGER_SCHEMA = {"type": "integer"}
NUMBER_SCHEMA = {"type": "number"}
PLAIN_DATETIME_SCHEMA = {
    "type": "string",
    "description": "Sent as `YYYY-MM-DD HH:MM:SS`; ISO 8601 is accepted too.",
    "example": "2024-01-02 03:04:05",
}
# Server-set timestamps leave as ISO 8601 with an offset.
ISO_DATETIME_SCHEMA = {"type": "string", "format": "date-time"}
DATE_SCHEMA = {"type": "string", "format": "date"}

# GraphQL scalars a filter compares a value of that type with as they are (others as strings).
_GRAPHQL_COMPARED = frozenset({"ID", "Int", "BigInt", "Float", "Boolean"})


@dataclass(frozen=True, eq=False)
class FieldType:
    """One Directus type. Its methods answer for a field of the type, whose column may decide
    (an integer key is `Int` in GraphQL, a VARCHAR one `ID`)."""

    name: str
    alias: bool = False
    # Datatype (and length) used when a definition gives none.
    default_datatype: str | None = None
    default_length: int | None = None
    # Types of which a collection may have at most one field.
    unique_per_collection: bool = False
    # Collections some types point at without a directus_relations row.
    implicit_relation: str | None = None
    aliases: tuple[str, ...] = ()

    # A stored value as sent: a function of apps.schema.wire.
    wire: Callable[[object], object] = wire.plain
    # A payload value as stored, `(info, value, model_field)`: a rule of apps.schema.columns.
    to_column: Callable = columns.by_storage
    # Stored as a one-way hash: a value given never equals the stored one, and the stored one is
    # never copied into revisions, activity or item events.
    one_way: bool = False
    server_fill: ServerFill | None = None
    # The value when a write does not give one, from the rest of its payload: `(info, payload)`
    # -> the value, or None for none.
    from_payload: Callable[["FieldInfo", dict], object] | None = None

    # The GraphQL scalar of its values, by name; None: `Int` in an integer column, else `String`.
    graphql: str | None = None
    # The OpenAPI schema of its values; None: by its column's datatype.
    openapi: dict | None = None
    # OpenAPI: the length of a CHAR or VARCHAR column is the longest value.
    max_length: bool = False
    # Its value is the key of a row of another collection.
    holds_key: bool = False
    # The operators a GraphQL filter offers for it: "boolean", "choice", "ordered" or "text".
    filters: str = "text"
    # What the filter value `now` stands for: "datetime", "date", or nothing special.
    now: str | None = None
    # Searched by `q`, and by the like family on an M2O field into its collection (text and
    # numbers, as Directus 8 did).
    searched: bool = False
    # Its related rows are one per language; the `lang` parameter picks them.
    by_language: bool = False

    # Worked out from the above when the type is made (the reader asks them for every field of
    # every level it reads). Whether str, int and float values are sent as they are, without
    # calling `wire`:
    keeps_plain: bool = field(init=False)
    # Whether datetimes are sent as plain `YYYY-MM-DD HH:MM:SS` text, and that text as it is (so
    # the database may give them as that text):
    plain_datetimes: bool = field(init=False)
    # Whether objects and arrays are values of it:
    structured: bool = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "keeps_plain", self.wire in wire.KEEPS_PLAIN)
        object.__setattr__(self, "plain_datetimes", self.wire is wire.plain)
        object.__setattr__(self, "structured", self.to_column in columns.STRUCTURED)

    # GraphQL -----------------------------------------------------------------------------------

    def graphql_type(self, info: "FieldInfo") -> str:
        """The GraphQL type of the field's values, by name (`[String]` is a list); `ID` for a
        primary key, `BigInt` for integers wider than 32 bits."""
        if info.primary_key:
            return "ID"
        name = self.graphql or ("Int" if _integer_column(info) else "String")
        return "BigInt" if name == "Int" and _wide_column(info) else name

    def graphql_key(self, info: "FieldInfo") -> str:
        """The GraphQL type of the field as a primary-key argument (`id: Int` for integer keys)."""
        if not _integer_column(info):
            return "ID"
        return "BigInt" if _wide_column(info) else "Int"

    def graphql_input(self, info: "FieldInfo") -> str:
        """The GraphQL type of a value a filter compares the field with (`title_eq: String`)."""
        name = self.graphql_type(info)
        return name if name in _GRAPHQL_COMPARED else "String"

    def filter_kind(self, info: "FieldInfo") -> str | None:
        """Which operators a GraphQL filter offers for the field: `filters`, `ordered` for a
        primary key, `m2o` for a key into another collection, `to_many` for O2M and M2M fields;
        None for an alias that holds no value."""
        relation = info.relation
        if relation is not None and relation.kind in ("o2m", "m2m"):
            return "to_many"
        if info.alias:
            return None
        if info.primary_key:
            return "ordered"
        if relation is not None and relation.kind == "m2o" and self.filters not in ("boolean", "choice"):
            return "m2o"
        return self.filters

    # OpenAPI -----------------------------------------------------------------------------------

    def openapi_schema(self, info: "FieldInfo") -> dict | None:
        """The OpenAPI schema of the field's values (nullability aside); None for an alias that
        holds no value."""
        column = info.column
        if self.alias or column is None:
            return copy.deepcopy(self.openapi) if self.alias else None
        if self.openapi is None:
            schema = column_schema(column.datatype)
            if self.holds_key:
                schema["description"] = f"primary key of the related item ({self.name})"
            return schema
        schema = copy.deepcopy(self.openapi)
        bounded = column.datatype.upper() in ("CHAR", "VARCHAR") and isinstance(column.length, int)
        if self.max_length and bounded and column.length > 0:
            schema["maxLength"] = column.length
        return schema


def _integer_column(info: "FieldInfo") -> bool:
    return info.column is not None and is_integer(info.column.datatype)


def _wide_column(info: "FieldInfo") -> bool:
    return info.column is not None and is_wide_integer(info.column.datatype)


_COLUMN_SCHEMAS = {
    **{datatype: INTEGER_SCHEMA for datatype in INTEGER_DATATYPES},
    **{datatype: NUMBER_SCHEMA for datatype in NUMBER_DATATYPES},
    "DATETIME": PLAIN_DATETIME_SCHEMA,
    "TIMESTAMP": PLAIN_DATETIME_SCHEMA,
    "DATE": DATE_SCHEMA,
    "BOOLEAN": {"type": "boolean"},
    "BOOL": {"type": "boolean"},
    "JSON": {"type": "object"},
}


def column_schema(datatype: str) -> dict:
    """The OpenAPI schema of a column's values by its datatype alone (keys, unknown types)."""
    base = (datatype or "").upper().split("(")[0].strip()
    return copy.deepcopy(_COLUMN_SCHEMAS.get(base, STRING_SCHEMA))


def _related_items(kind: str) -> dict:
    return {"type": "array", "items": {}, "description": f"related items ({kind})"}


def mirrored_slug(info: "FieldInfo", payload: dict) -> str | None:
    """A `slug` made from the payload's value of the field its `mirroredField` option names."""
    options = (info.meta or {}).get("options") or {}
    source = options.get("mirroredField") if isinstance(options, dict) else None
    if not source or source not in payload or info.name in payload:
        return None
    slug = slugify(str(payload[source] or ""))
    if options.get("forceLowercase", True) is False:
        # slugify lowercases; keep the source's case when asked to.
        slug = re.sub(r"[^\w\s-]", "", str(payload[source] or "")).strip()
        slug = re.sub(r"[-\s]+", "-", slug)
    return slug


FIELD_TYPES: dict[str, FieldType] = {}


def register(field_type: FieldType) -> FieldType:
    for name in (field_type.name, *field_type.aliases):
        FIELD_TYPES[name] = field_type
    return field_type


_TEXT = {"openapi": STRING_SCHEMA, "max_length": True}
_ORDERED_INTEGER = {"graphql": "Int", "openapi": INTEGER_SCHEMA, "filters": "ordered"}

for _type in [
    # In the order Directus 8 lists its types (GET /types).
    FieldType("alias", alias=True),
    FieldType(
        "array",
        default_datatype="VARCHAR",
        default_length=255,
        wire=wire.array,
        to_column=columns.array,
        graphql="[String]",
        openapi={"type": "array", "items": {"type": "string"}},
    ),
    FieldType("binary", default_datatype="BLOB"),
    FieldType(
        "boolean",
        default_datatype="TINYINT",
        default_length=1,
        wire=wire.boolean,
        graphql="Boolean",
        openapi={"type": "boolean"},
        filters="boolean",
    ),
    FieldType(
        "datetime",
        default_datatype="DATETIME",
        graphql="DateTime",
        openapi=PLAIN_DATETIME_SCHEMA,
        filters="ordered",
        now="datetime",
    ),
    FieldType("date", default_datatype="DATE", graphql="Date", openapi=DATE_SCHEMA, filters="ordered", now="date"),
    FieldType(
        "time",
        default_datatype="TIME",
        graphql="Time",
        openapi={"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$"},
        filters="ordered",
    ),
    FieldType("file", default_datatype="INT", implicit_relation="directus_files", holds_key=True),
    FieldType("hash", default_datatype="VARCHAR", default_length=255, to_column=columns.hashed, one_way=True, **_TEXT),
    FieldType("group", alias=True),
    FieldType("integer", default_datatype="INT", searched=True, **_ORDERED_INTEGER),
    FieldType(
        "decimal",
        default_datatype="DECIMAL",
        graphql="Float",
        openapi=NUMBER_SCHEMA,
        filters="ordered",
        searched=True,
    ),
    FieldType(
        "json",
        default_datatype="TEXT",
        wire=wire.json_value,
        to_column=columns.json_text,
        graphql="JSON",
        openapi={"type": "object"},
    ),
    FieldType(
        "lang", default_datatype="VARCHAR", default_length=8, unique_per_collection=True, filters="choice", **_TEXT
    ),
    FieldType("m2o", default_datatype="INT", holds_key=True),
    FieldType("o2m", alias=True, openapi=_related_items("o2m")),
    FieldType("slug", default_datatype="VARCHAR", default_length=255, from_payload=mirrored_slug, **_TEXT),
    FieldType("sort", default_datatype="INT", unique_per_collection=True, **_ORDERED_INTEGER),
    FieldType(
        "status", default_datatype="VARCHAR", default_length=20, unique_per_collection=True, filters="choice", **_TEXT
    ),
    FieldType("string", default_datatype="VARCHAR", default_length=255, searched=True, **_TEXT),
    FieldType("translation", alias=True, openapi=_related_items("translation"), by_language=True),
    FieldType("uuid", default_datatype="VARCHAR", default_length=36, openapi={"type": "string", "format": "uuid"}),
    FieldType(
        "datetime_created",
        default_datatype="DATETIME",
        unique_per_collection=True,
        wire=wire.stamp,
        server_fill=ServerFill(REQUEST_TIME, on_update=False),
        graphql="DateTime",
        openapi=ISO_DATETIME_SCHEMA,
        filters="ordered",
        now="datetime",
    ),
    FieldType(
        "datetime_updated",
        default_datatype="DATETIME",
        unique_per_collection=True,
        wire=wire.stamp,
        server_fill=ServerFill(REQUEST_TIME, on_update=True),
        graphql="DateTime",
        openapi=ISO_DATETIME_SCHEMA,
        filters="ordered",
        now="datetime",
    ),
    FieldType(
        "owner",
        default_datatype="INT",
        unique_per_collection=True,
        implicit_relation="directus_users",
        # system-schema.md: set to the creating user, except on directus_users.
        server_fill=ServerFill(REQUEST_USER, on_update=False, not_in=frozenset({"directus_users"})),
        holds_key=True,
        filters="choice",
        aliases=("user_created",),
    ),
    FieldType(
        "user_updated",
        default_datatype="INT",
        unique_per_collection=True,
        implicit_relation="directus_users",
        server_fill=ServerFill(REQUEST_USER, on_update=True),
        holds_key=True,
        filters="choice",
    ),
    FieldType("user", default_datatype="INT", implicit_relation="directus_users", holds_key=True, filters="choice"),
]:
    register(_type)

# How fields of a type this server does not know behave: by their column.
UNKNOWN_TYPE = FieldType("unknown")


def field_type(name: str | None) -> FieldType | None:
    return FIELD_TYPES.get((name or "").lower())


def behaviour_of(name: str | None) -> FieldType:
    """The registered type of that name, or UNKNOWN_TYPE."""
    return field_type(name) or UNKNOWN_TYPE


def guess_type(datatype: str) -> str:
    """The Directus type of a column that has no directus_fields row, from its SQL type."""
    datatype = datatype.upper()
    if datatype in INTEGER_DATATYPES:
        return "integer"
    if datatype in NUMBER_DATATYPES:
        return "decimal"
    if "BLOB" in datatype or datatype in {"BIT", "BINARY", "VARBINARY", "BYTEA"}:
        return "binary"
    if datatype in {"DATETIME", "TIMESTAMP"} or datatype.startswith("TIMESTAMP"):
        return "datetime"
    if datatype == "DATE":
        return "date"
    if datatype.startswith("TIME"):
        return "time"
    if datatype in {"JSON", "JSONB"}:
        return "json"
    if datatype == "BOOLEAN":
        return "boolean"
    return "string"
