"""Field definitions as clients send them to /collections and /fields, checked and turned into
a column spec plus the directus_fields metadata row."""

import re
from dataclasses import dataclass

from apps.core import errors

from .datatypes import DATATYPES, ColumnSpec, LengthRule, closest_datatype
from .introspect import ColumnInfo
from .types import FIELD_TYPES, field_type, guess_type

# Longest identifier every engine keeps whole (PostgreSQL truncates at 63 bytes).
MAX_IDENTIFIER = 63
IDENTIFIER = re.compile(r"^[A-Za-z0-9_]+$")

# Words that are reserved in SQL on at least one supported engine; names that only work quoted
# break hand-written SQL and other tools, so they are refused as collection and field names.
# (`user` and `key` stay allowed: Directus itself names columns so.)
RESERVED_WORDS = frozenset(
    """
    add all alter analyze and as asc between both by case cast check collate column constraint
    create cross current_date current_time current_timestamp current_user database default delete
    desc distinct drop else end except exists false fetch for foreign from full grant group having
    in index inner insert intersect interval into is join leading left like limit localtime
    localtimestamp natural not null offset on or order outer primary references returning right row
    rows select session_user set some table then to trailing true union unique update using
    values when where window with
    """.split()  # noqa: SIM905 - a word list reads better as text
)

METADATA_KEYS = (
    "interface",
    "options",
    "locked",
    "validation",
    "required",
    "readonly",
    "hidden_detail",
    "hidden_browse",
    "sort",
    "width",
    "group",
    "note",
    "translation",
)
COLUMN_KEYS = ("type", "datatype", "length", "default_value", "unique", "primary_key", "auto_increment", "signed")
FIELD_KEYS = frozenset({"field", "collection", "id", "nullable", *METADATA_KEYS, *COLUMN_KEYS})

BOOLEAN_KEYS = ("locked", "required", "readonly", "hidden_detail", "hidden_browse")


def check_identifier(name, kind: str) -> str:
    """A collection or field name that every engine stores as given; else 422 code 4."""
    if not isinstance(name, str) or not name:
        raise errors.InvalidRequest(f"{kind}: a name is required")
    if len(name) > MAX_IDENTIFIER:
        raise errors.InvalidRequest(f'{kind}: "{name}" is longer than {MAX_IDENTIFIER} characters')
    if not IDENTIFIER.match(name):
        raise errors.InvalidRequest(f'{kind}: "{name}" may only contain letters, digits and underscores')
    if "__" in name or name.startswith("_"):
        raise errors.InvalidRequest(f'{kind}: "{name}" may not start with or contain a double underscore')
    if name.lower() in RESERVED_WORDS:
        raise errors.InvalidRequest(f'{kind}: "{name}" is a reserved word')
    return name


@dataclass
class FieldDefinition:
    name: str
    type: str
    spec: ColumnSpec | None  # None for alias types
    metadata: dict
    given: frozenset  # keys present in the request body

    @property
    def alias(self) -> bool:
        return self.spec is None


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def parse_length(datatype: str, value):
    """`length` as sent (`255`, `"10,2"`, a list for ENUM/SET) in the form a column spec takes."""
    if value in (None, ""):
        return None
    if datatype in {"DECIMAL", "NUMERIC"}:
        parts = [part.strip() for part in str(value).split(",")]
        try:
            precision = int(parts[0])
            scale = int(parts[1]) if len(parts) > 1 and parts[1] else 0
        except ValueError:
            raise errors.InvalidRequest(f'length: "{value}" is not a precision,scale pair') from None
        if not 0 < precision <= 65 or not 0 <= scale <= precision:
            raise errors.InvalidRequest(f'length: "{value}" is out of range')
        return (precision, scale)
    if datatype in {"ENUM", "SET"}:
        return list(value) if isinstance(value, list | tuple) else str(value).split(",")
    try:
        length = int(value)
    except (TypeError, ValueError):
        raise errors.InvalidRequest(f'length: "{value}" is not a number') from None
    if length <= 0 or (datatype in {"VARCHAR", "CHAR"} and length > 16383):
        raise errors.InvalidRequest(f"length: {length} is out of range for {datatype}")
    return length


def parse_field(data, *, existing: "FieldDefinition | None" = None, current: ColumnInfo | None = None):
    """Check one field definition; `existing`/`current` describe the field being changed."""
    if not isinstance(data, dict):
        raise errors.InvalidPayload()
    unknown = set(data) - FIELD_KEYS
    if unknown:
        raise errors.UnprocessableEntity(f"Unknown attributes: {', '.join(sorted(unknown))}")
    name = check_identifier(data.get("field") or (existing.name if existing else None), "field")
    type_name = data.get("type", existing.type if existing else None)
    if not type_name:
        if data.get("datatype"):
            type_name = guess_type(str(data["datatype"]))
        else:
            raise errors.InvalidRequest(f'field "{name}": type is required')
    registered = field_type(str(type_name))
    if registered is None:
        raise errors.UnknownType(f"Unknown type: {type_name}")

    metadata = {key: data[key] for key in METADATA_KEYS if key in data}
    for key in BOOLEAN_KEYS:
        if key in metadata:
            metadata[key] = _as_bool(metadata[key])
    if registered.alias:
        return FieldDefinition(name, registered.name, None, metadata, frozenset(data))

    base = existing.spec if existing and existing.spec else None
    datatype = data.get("datatype") or (base.datatype if base else None)
    if not datatype:
        raise errors.UnprocessableEntity(f'field "{name}": datatype is required')
    datatype = str(datatype).upper()
    if datatype not in DATATYPES and base is not None and current is not None and current.datatype == datatype:
        # The type the server reports for this column (one it cannot create, in an adopted
        # database) sent back unchanged: the column stays as it is.
        datatype = base.datatype
    if datatype not in DATATYPES:
        raise errors.InvalidRequest(f'field "{name}": unknown datatype {datatype}')
    rule = DATATYPES[datatype].length
    if "length" in data:
        length = parse_length(datatype, data["length"])
    elif base and base.datatype == datatype:
        length = base.length
    else:
        length = None
    if rule == LengthRule.REQUIRED and length is None:
        raise errors.LengthRequired(f"Field type {datatype} requires a length")
    if rule == LengthRule.NONE and length is not None and "length" in data:
        raise errors.LengthNotSupported(f"Field type {datatype} does not support a length")

    def pick(key: str, fallback):
        return _as_bool(data[key]) if key in data else fallback

    primary_key = pick("primary_key", base.primary_key if base else False)
    required = metadata.get("required", not base.nullable if base else False)
    if "nullable" in data:
        required = not _as_bool(data["nullable"])
    spec = ColumnSpec(
        datatype=datatype,
        length=length,
        signed=pick("signed", base.signed if base else False),
        nullable=not (required or primary_key),
        default=data.get("default_value", base.default if base else None),
        unique=pick("unique", base.unique if base else False),
        primary_key=primary_key,
        auto_increment=pick("auto_increment", base.auto_increment if base else False),
        directus_type=registered.name,
    )
    if spec.auto_increment and not spec.primary_key:
        raise errors.UnprocessableEntity(f'field "{name}": auto_increment needs primary_key')
    if spec.auto_increment and "INT" not in datatype and datatype != "SERIAL":
        raise errors.UnprocessableEntity(f'field "{name}": auto_increment needs an integer datatype')
    if datatype == "SERIAL" and not spec.primary_key:
        # SERIAL always builds an auto-incremented key; elsewhere it would be a second one.
        raise errors.UnprocessableEntity(f'field "{name}": SERIAL needs primary_key')
    return FieldDefinition(name, registered.name, spec, metadata, frozenset(data))


def spec_from_column(info_type: str, column: ColumnInfo) -> ColumnSpec:
    datatype = closest_datatype(column.datatype)
    length = column.length
    if datatype in {"DECIMAL", "NUMERIC"} and isinstance(length, str) and "," in length:
        precision, scale = length.split(",", 1)
        length = (int(precision), int(scale))
    if datatype not in {"VARCHAR", "CHAR", "DECIMAL", "NUMERIC", "ENUM", "SET"}:
        length = None
    return ColumnSpec(
        datatype=datatype,
        length=length,
        signed=column.signed,
        nullable=column.nullable,
        default=column.default,
        unique=column.unique,
        primary_key=column.primary_key,
        auto_increment=column.auto_increment,
        directus_type=info_type,
    )


def check_collection_fields(definitions: list[FieldDefinition]) -> None:
    """The rules a new collection's field list must follow (collections.md)."""
    names = [d.name for d in definitions]
    if len(set(name.lower() for name in names)) != len(names):
        raise errors.UnprocessableEntity("Field names must be unique")
    primary = [d for d in definitions if d.spec and d.spec.primary_key]
    if not primary:
        raise errors.UnprocessableEntity("Collection does not have a primary key field.")
    if len(primary) > 1:
        raise errors.UnprocessableEntity("Collection must only have one primary key field.")
    if sum(1 for d in definitions if d.spec and d.spec.auto_increment) > 1:
        raise errors.UnprocessableEntity("Collection must only have one auto increment field.")
    check_unique_system_types(definitions)


def check_unique_system_types(definitions) -> None:
    seen: dict[str, str] = {}
    for definition in definitions:
        registered = FIELD_TYPES.get(definition.type)
        if registered and registered.unique_per_collection:
            if definition.type in seen:
                raise errors.InvalidRequest(
                    f"Only one system field permitted per table: {definition.type} "
                    f"({seen[definition.type]}, {definition.name})"
                )
            seen[definition.type] = definition.name
