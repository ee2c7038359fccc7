"""SQL datatypes (`VARCHAR`, `INT`, `DECIMAL`...), as the Directus 8 app sends them and as the
engines report them: whether a definition gives them a length, which Django model field stores
them (Django's schema editor then writes the column for each engine, so one definition gives the
right DDL on SQLite, PostgreSQL and MariaDB), and which of them hold numbers."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

from apps.core.fields import CSVCharField, CSVField, JSONTextField

# Whole numbers, under every name an engine reports them by (MariaDB's YEAR is one too).
INTEGER_DATATYPES = frozenset({"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "SERIAL", "YEAR"})
# The integers that do not fit 32 bits (GraphQL's `Int`).
WIDE_INTEGER_DATATYPES = frozenset({"BIGINT", "SERIAL"})
# Numbers with a fraction.
NUMBER_DATATYPES = frozenset({"DECIMAL", "NUMERIC", "REAL", "FLOAT", "DOUBLE", "DOUBLE PRECISION"})


def is_integer(datatype: str) -> bool:
    return datatype.upper() in INTEGER_DATATYPES


def is_wide_integer(datatype: str) -> bool:
    return datatype.upper() in WIDE_INTEGER_DATATYPES


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


def closest_datatype(datatype: str) -> str:
    """A registered datatype that can store a column whose reported type is not one."""
    datatype = datatype.upper()
    if datatype in DATATYPES:
        return datatype
    if "INT" in datatype or datatype in INTEGER_DATATYPES:
        return "BIGINT"
    if "CHAR" in datatype or "TEXT" in datatype or datatype in {"ENUM", "SET", "UUID"}:
        return "TEXT"
    if "TIME" in datatype:
        return "DATETIME" if "STAMP" in datatype else "TIME"
    return "TEXT"
