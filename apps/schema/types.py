"""The two registries a field definition is read through.

* SQL datatypes (`VARCHAR`, `INT`, `DECIMAL`...), as the Directus 8 app sends them: whether they take a
  length, and which Django model field stores them. Django's schema editor then writes the column
  for each engine, so one definition gives the right DDL on SQLite, PostgreSQL and MariaDB.
* Directus types (`string`, `m2o`, `status`...): whether they have a column at all, the datatype they
  default to, which collection they point at implicitly, and how values are read and written.
"""

import datetime
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from apps.core.fields import CSVCharField, CSVField, JSONTextField
from apps.core.serialization import plain_datetime
from apps.core.serialization import wire_value as plain_wire_value


@dataclass(frozen=True)
class ColumnSpec:
    """What a field definition says about its column."""

    datatype: str
    length: int | tuple[int, int] | list[str] | None = None
    signed: bool = False
    nullable: bool = True
    default: object = None
    unique: bool = False
    primary_key: bool = False
    auto_increment: bool = False
    directus_type: str = "string"


class LengthRule:
    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


@dataclass(frozen=True)
class Datatype:
    name: str
    length: str
    build: Callable[[ColumnSpec, dict], models.Field]
    default_length: int | tuple[int, int] | None = None


def _integer(small: type, positive_small: type) -> Callable[[ColumnSpec, dict], models.Field]:
    def build(spec: ColumnSpec, kwargs: dict) -> models.Field:
        if spec.auto_increment:
            auto = models.BigAutoField if small in (models.BigIntegerField,) else models.AutoField
            return auto(primary_key=True, **{k: v for k, v in kwargs.items() if k == "db_column"})
        return (small if spec.signed else positive_small)(**kwargs)

    return build


def _char(spec: ColumnSpec, kwargs: dict) -> models.Field:
    max_length = int(spec.length or 255)
    if spec.directus_type == "array":
        return CSVCharField(max_length=max_length, **kwargs)
    return models.CharField(max_length=max_length, **kwargs)


def _text(spec: ColumnSpec, kwargs: dict) -> models.Field:
    if spec.directus_type == "array":
        return CSVField(**kwargs)
    if spec.directus_type == "json":
        return JSONTextField(**kwargs)
    return models.TextField(**kwargs)


class SizedDecimalField(models.DecimalField):
    """Declares precision and scale on SQLite too, so the live schema can report them."""

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            return f"decimal({self.max_digits},{self.decimal_places})"
        return super().db_type(connection)


def _decimal(spec: ColumnSpec, kwargs: dict) -> models.Field:
    precision, scale = spec.length if isinstance(spec.length, tuple) else (10, 2)
    return SizedDecimalField(max_digits=precision, decimal_places=scale, **kwargs)


def _tinyint(spec: ColumnSpec, kwargs: dict) -> models.Field:
    # Directus stores booleans in TINYINT(1); every engine has a real boolean column for them.
    if spec.directus_type == "boolean":
        return models.BooleanField(**kwargs)
    return _integer(models.SmallIntegerField, models.PositiveSmallIntegerField)(spec, kwargs)


def _simple(field_class: type) -> Callable[[ColumnSpec, dict], models.Field]:
    return lambda spec, kwargs: field_class(**kwargs)


DATATYPES: dict[str, Datatype] = {
    datatype.name: datatype
    for datatype in [
        Datatype("CHAR", LengthRule.REQUIRED, _char),
        Datatype("VARCHAR", LengthRule.REQUIRED, _char),
        Datatype("TINYTEXT", LengthRule.NONE, _text),
        Datatype("TEXT", LengthRule.NONE, _text),
        Datatype("MEDIUMTEXT", LengthRule.NONE, _text),
        Datatype("LONGTEXT", LengthRule.NONE, _text),
        Datatype("TINYINT", LengthRule.OPTIONAL, _tinyint),
        # What PostgreSQL and SQLite report for a boolean column, so it can be sent back as is.
        Datatype("BOOLEAN", LengthRule.NONE, _simple(models.BooleanField)),
        Datatype("SMALLINT", LengthRule.OPTIONAL, _integer(models.SmallIntegerField, models.PositiveSmallIntegerField)),
        Datatype("MEDIUMINT", LengthRule.OPTIONAL, _integer(models.IntegerField, models.PositiveIntegerField)),
        Datatype("INT", LengthRule.OPTIONAL, _integer(models.IntegerField, models.PositiveIntegerField)),
        Datatype("INTEGER", LengthRule.OPTIONAL, _integer(models.IntegerField, models.PositiveIntegerField)),
        Datatype("BIGINT", LengthRule.OPTIONAL, _integer(models.BigIntegerField, models.PositiveBigIntegerField)),
        Datatype(
            "SERIAL",
            LengthRule.NONE,
            lambda spec, kwargs: models.BigAutoField(primary_key=True, db_column=kwargs["db_column"]),
        ),
        Datatype("FLOAT", LengthRule.OPTIONAL, _simple(models.FloatField)),
        Datatype("DOUBLE", LengthRule.OPTIONAL, _simple(models.FloatField)),
        Datatype("REAL", LengthRule.OPTIONAL, _simple(models.FloatField)),
        Datatype("DECIMAL", LengthRule.REQUIRED, _decimal),
        Datatype("NUMERIC", LengthRule.OPTIONAL, _decimal),
        Datatype("BIT", LengthRule.OPTIONAL, _simple(models.BinaryField)),
        Datatype("BINARY", LengthRule.OPTIONAL, _simple(models.BinaryField)),
        Datatype("VARBINARY", LengthRule.REQUIRED, _simple(models.BinaryField)),
        Datatype("TINYBLOB", LengthRule.NONE, _simple(models.BinaryField)),
        Datatype("BLOB", LengthRule.NONE, _simple(models.BinaryField)),
        Datatype("MEDIUMBLOB", LengthRule.NONE, _simple(models.BinaryField)),
        Datatype("LONGBLOB", LengthRule.NONE, _simple(models.BinaryField)),
        Datatype("DATE", LengthRule.NONE, _simple(models.DateField)),
        Datatype("DATETIME", LengthRule.NONE, _simple(models.DateTimeField)),
        Datatype("TIMESTAMP", LengthRule.NONE, _simple(models.DateTimeField)),
        Datatype("TIME", LengthRule.NONE, _simple(models.TimeField)),
        Datatype("ENUM", LengthRule.REQUIRED, lambda spec, kwargs: models.CharField(max_length=255, **kwargs)),
        Datatype("SET", LengthRule.REQUIRED, lambda spec, kwargs: models.CharField(max_length=255, **kwargs)),
        Datatype("JSON", LengthRule.NONE, _simple(models.JSONField)),
    ]
}


@dataclass(frozen=True)
class FieldType:
    name: str
    alias: bool = False
    # Datatype (and length) used when a definition gives none.
    default_datatype: str | None = None
    default_length: int | None = None
    # Types of which a collection may have at most one field.
    unique_per_collection: bool = False
    # Collections some types point at without a directus_relations row.
    implicit_relation: str | None = None
    # Filled by the server rather than by the client.
    auto: str | None = None  # "create", "create_update"
    aliases: tuple[str, ...] = field(default_factory=tuple)


FIELD_TYPES: dict[str, FieldType] = {}


def register(field_type: FieldType) -> FieldType:
    for name in (field_type.name, *field_type.aliases):
        FIELD_TYPES[name] = field_type
    return field_type


for _type in [
    # In the order Directus 8 lists its types (GET /types).
    FieldType("alias", alias=True),
    FieldType("array", default_datatype="VARCHAR", default_length=255),
    FieldType("binary", default_datatype="BLOB"),
    FieldType("boolean", default_datatype="TINYINT", default_length=1),
    FieldType("datetime", default_datatype="DATETIME"),
    FieldType("date", default_datatype="DATE"),
    FieldType("time", default_datatype="TIME"),
    FieldType("file", default_datatype="INT", implicit_relation="directus_files"),
    FieldType("hash", default_datatype="VARCHAR", default_length=255),
    FieldType("group", alias=True),
    FieldType("integer", default_datatype="INT"),
    FieldType("decimal", default_datatype="DECIMAL"),
    FieldType("json", default_datatype="TEXT"),
    FieldType("lang", default_datatype="VARCHAR", default_length=8, unique_per_collection=True),
    FieldType("m2o", default_datatype="INT"),
    FieldType("o2m", alias=True),
    FieldType("slug", default_datatype="VARCHAR", default_length=255),
    FieldType("sort", default_datatype="INT", unique_per_collection=True),
    FieldType("status", default_datatype="VARCHAR", default_length=20, unique_per_collection=True),
    FieldType("string", default_datatype="VARCHAR", default_length=255),
    FieldType("translation", alias=True),
    FieldType("uuid", default_datatype="VARCHAR", default_length=36),
    FieldType("datetime_created", default_datatype="DATETIME", unique_per_collection=True, auto="create"),
    FieldType("datetime_updated", default_datatype="DATETIME", unique_per_collection=True, auto="create_update"),
    FieldType(
        "owner",
        default_datatype="INT",
        unique_per_collection=True,
        implicit_relation="directus_users",
        auto="create",
        aliases=("user_created",),
    ),
    FieldType(
        "user_updated",
        default_datatype="INT",
        unique_per_collection=True,
        implicit_relation="directus_users",
        auto="create_update",
    ),
    FieldType("user", default_datatype="INT", implicit_relation="directus_users"),
]:
    register(_type)


def field_type(name: str | None) -> FieldType | None:
    return FIELD_TYPES.get((name or "").lower())


def guess_type(datatype: str) -> str:
    """The Directus type of a column that has no directus_fields row, from its SQL type."""
    datatype = datatype.upper()
    if datatype in {"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "SERIAL", "YEAR"}:
        return "integer"
    if datatype in {"DECIMAL", "NUMERIC", "REAL", "FLOAT", "DOUBLE", "DOUBLE PRECISION"}:
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


_BOOLEAN_WORDS = {"true": True, "false": False, "t": True, "f": False, "1": True, "0": False}


def default_value(model_field: models.Field, default):
    """A column default as the field's Python value; raises ValidationError when it is none."""
    if isinstance(model_field, models.BooleanField) and isinstance(default, str):
        # PostgreSQL reports boolean defaults as `false`/`true`, which to_python refuses.
        default = _BOOLEAN_WORDS.get(default.strip().lower(), default)
    return model_field.to_python(default)


def build_model_field(spec: ColumnSpec, *, column: str, name: str | None = None) -> models.Field:
    """The Django field that stores a column described by `spec`."""
    datatype = DATATYPES[spec.datatype.upper()]
    kwargs: dict = {"db_column": column}
    if not spec.primary_key:
        kwargs["null"] = spec.nullable
        kwargs["blank"] = spec.nullable
    else:
        kwargs["primary_key"] = True
    if spec.unique and not spec.primary_key:
        kwargs["unique"] = True
    model_field = datatype.build(spec, kwargs)
    if spec.default is not None and not spec.auto_increment:
        # Literal defaults only: expressions such as CURRENT_TIMESTAMP stay the database's business.
        try:
            value = default_value(model_field, spec.default)
        except (ValidationError, TypeError, ValueError):
            value = None
        if value is not None:
            model_field = datatype.build(spec, {**kwargs, "db_default": value})
    if name:
        model_field.name = name
    return model_field


# Reading and writing values -------------------------------------------------------------------


def _to_bool(value):
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value) if value is not None else None


# Values of these classes leave as they are, unless their type rewrites them.
PLAIN_CLASSES = frozenset({str, int, float})
REWRITES_PLAIN = frozenset({"boolean", "json", "array"})
# Types whose datetimes do not leave as plain `YYYY-MM-DD HH:MM:SS`.
_OWN_DATETIME_FORMAT = frozenset({"boolean", "datetime_created", "datetime_updated"})


def sent_as_plain_datetime(directus_type: str) -> bool:
    """Whether a datetime value of this type leaves as plain `YYYY-MM-DD HH:MM:SS` text, and
    that text leaves as it is."""
    return directus_type not in _OWN_DATETIME_FORMAT and directus_type not in REWRITES_PLAIN


def wire_value(directus_type: str, value):
    """A stored value as Directus 8 sends it for this type."""
    if value.__class__ in PLAIN_CLASSES and directus_type not in REWRITES_PLAIN:
        return value  # the common case, decided before the checks below
    if value.__class__ is datetime.datetime and directus_type not in _OWN_DATETIME_FORMAT:
        return plain_datetime(value)  # the next most common, as the checks below would end
    if value is None:
        return [] if directus_type == "array" else None
    if directus_type == "boolean":
        return _to_bool(value)
    if directus_type in {"datetime_created", "datetime_updated"} and isinstance(value, datetime.datetime):
        return timezone.localtime(value, datetime.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | Decimal):
        return plain_wire_value(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if directus_type == "json" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if directus_type == "array":
        if isinstance(value, str):
            return [item for item in value.split(",") if item != ""]
        return list(value)
    if isinstance(value, bytes | memoryview):
        import base64

        return base64.b64encode(bytes(value)).decode()
    return value


def parse_decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
