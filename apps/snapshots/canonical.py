"""One engine-neutral form of a field definition, for snapshots and for comparing them.

The engines report one column differently: the text column of a definition is TEXT on SQLite
and PostgreSQL but LONGTEXT on MariaDB, a boolean BOOLEAN or TINYINT(1), an INT has a display
width of 10, 11 or none, and a default is `'draft'::character varying` or `draft`, `false` or
`0`. So both sides of a comparison are put in one form first:

- the datatype is the one of the Django field that stores the column (a definition builds that
  field, and Django's schema editor the column, on every engine): CHAR, VARCHAR, ENUM and SET are
  VARCHAR; the TEXT family is TEXT; TINYINT is SMALLINT, or BOOLEAN for a `boolean` field (a
  BOOLEAN of another type is SMALLINT); MEDIUMINT and INTEGER are INT; FLOAT, DOUBLE and REAL
  are DOUBLE (all double precision); NUMERIC is DECIMAL; BIT, BINARY and the BLOBs are BLOB;
  TIMESTAMP is DATETIME; SERIAL is BIGINT;
- `length` only where it shapes the column: VARCHAR (characters) and DECIMAL (`"p,s"`);
- `signed` is false only for the unsigned integers (every other column reports true);
- `default_value` is the typed value (`false`, `7`, `"1.5"` for decimals, `"draft"`).

Every form is a definition the fields API accepts on every engine. `as_reported` says how one
engine reports a form it cannot keep exactly (see there); comparisons go through it."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from apps.schema.datatypes import ColumnSpec, build_model_field, default_value
from apps.schema.definitions import METADATA_KEYS, parse_field
from apps.schema.services import column_field
from apps.schema.system_fields import FIELD_DEFAULTS

# The datatype of the form, by the Django field that stores the column.
_DATATYPES = {
    "CharField": "VARCHAR",
    "TextField": "TEXT",
    "BooleanField": "BOOLEAN",
    "SmallIntegerField": "SMALLINT",
    "PositiveSmallIntegerField": "SMALLINT",
    "IntegerField": "INT",
    "PositiveIntegerField": "INT",
    "AutoField": "INT",
    "BigIntegerField": "BIGINT",
    "PositiveBigIntegerField": "BIGINT",
    "BigAutoField": "BIGINT",
    "FloatField": "DOUBLE",
    "DecimalField": "DECIMAL",
    "BinaryField": "BLOB",
    "DateField": "DATE",
    "DateTimeField": "DATETIME",
    "TimeField": "TIME",
    "JSONField": "JSON",
}

COLUMN_KEYS = (
    "datatype",
    "length",
    "default_value",
    "nullable",
    "unique",
    "primary_key",
    "auto_increment",
    "signed",
)

# What a field without a directus_fields row (or a snapshot that leaves a key out) has.
METADATA_DEFAULTS = FIELD_DEFAULTS
assert set(METADATA_DEFAULTS) == set(METADATA_KEYS)

# The keys of a field in a snapshot: its name, its Directus type, its column, its metadata.
FIELD_KEYS = frozenset({"field", "type", *COLUMN_KEYS, *METADATA_KEYS})

COLLECTION_DEFAULTS = {
    "managed": True,
    "hidden": False,
    "single": False,
    "icon": None,
    "note": None,
    "translation": None,
}
RELATION_KEYS = ("collection_many", "field_many", "collection_one", "field_one", "junction_field")


def column_form(spec: ColumnSpec) -> dict:
    """The engine-neutral form of a column."""
    model_field = build_model_field(_without_default(spec), column="c")
    internal = model_field.get_internal_type()
    if internal == "CharField":
        length = model_field.max_length
    elif internal == "DecimalField":
        length = f"{model_field.max_digits},{model_field.decimal_places}"
    else:
        length = None
    datatype = _DATATYPES.get(internal, "TEXT")
    default = None if spec.auto_increment else _typed_default(model_field, spec.default)
    if datatype == "BOOLEAN" and spec.directus_type != "boolean":
        # A BOOLEAN column of another type is the small integer MariaDB stores it as (TINYINT).
        datatype, default = "SMALLINT", None if default is None else int(default)
    return {
        "datatype": datatype,
        "length": length,
        "default_value": default,
        "nullable": bool(spec.nullable and not spec.primary_key),
        "unique": bool(spec.unique and not spec.primary_key),
        "primary_key": bool(spec.primary_key),
        "auto_increment": bool(spec.auto_increment or internal in {"AutoField", "BigAutoField"}),
        "signed": not internal.startswith("Positive"),
    }


def _without_default(spec: ColumnSpec) -> ColumnSpec:
    return ColumnSpec(**{**spec.__dict__, "default": None})


def _typed_default(model_field: models.Field, raw):
    """A column default as a plain JSON value. A default the field cannot read is one the
    database computes (CURRENT_TIMESTAMP): the fields API cannot create it, so it is left out."""
    if raw is None:
        return None
    try:
        value = default_value(model_field, raw)
    except (ValidationError, TypeError, ValueError):
        return None
    return plain_value(value)


def plain_value(value):
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def field_form(name: str, type_name: str, spec: ColumnSpec | None, metadata: dict) -> dict:
    """The form of a field: `spec` is None for alias types (no column)."""
    form = {"field": name, "type": type_name}
    for key, default in METADATA_DEFAULTS.items():
        value = metadata.get(key, default)
        form[key] = bool(value) if isinstance(default, bool) else value
    if spec is not None:
        form.update(column_form(spec))
        form["required"] = bool(form["required"] or spec.primary_key)
    return form


def definition_form(data: dict) -> dict:
    """The form of a field definition as a snapshot (or a client) writes it; checked by the
    rules of the fields API (unknown type: 422 code 401, no length for a VARCHAR: 402...)."""
    definition = parse_field({key: value for key, value in data.items() if key != "group"})
    if definition.spec is not None and definition.spec.default is not None:
        # The check the schema services make before creating the column.
        column_field(definition.name, definition.spec)
    metadata = dict(definition.metadata)
    if "group" in data:
        metadata["group"] = data["group"]
    if definition.spec is not None and "required" not in metadata:
        metadata["required"] = not definition.spec.nullable
    return field_form(definition.name, definition.type, definition.spec, metadata)


def as_reported(form: dict, vendor: str) -> dict:
    """The form a field will have when this engine reports it back.

    - SQLite and MariaDB keep a JSON column as text (with a check): it reads back as TEXT.
    - SQLite's INTEGER primary key is its rowid, always filled in: it reads back as an
      auto-increment INT, also when it was a BIGINT."""
    if "datatype" not in form:
        return form
    reported = dict(form)
    if vendor in {"sqlite", "mysql"} and form["datatype"] == "JSON":
        reported["datatype"] = "TEXT"
    rowid = form["datatype"] == "INT" or (form["datatype"] == "BIGINT" and form["auto_increment"])
    if vendor == "sqlite" and form["primary_key"] and rowid:
        reported.update(datatype="INT", auto_increment=True, signed=True, default_value=None)
    return reported
