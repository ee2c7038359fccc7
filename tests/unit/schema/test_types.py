"""The SQL datatype and Directus type registries, and the Django field each column gets.
No database: only the registries and field construction."""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import models

from apps.core.fields import CSVCharField, CSVField, JSONTextField
from apps.schema.datatypes import DATATYPES, ColumnSpec, LengthRule, SizedDecimalField, build_model_field
from apps.schema.description import normalise_type
from apps.schema.types import FIELD_TYPES, REQUEST_TIME, REQUEST_USER, field_type, guess_type

SPEC = Path("/work/shared/spec/system-schema.md")

# system-schema.md, "Directus field types" (kept here too so the test runs without the spec).
DIRECTUS_TYPES = {
    "alias": True,
    "array": False,
    "binary": False,
    "boolean": False,
    "date": False,
    "datetime": False,
    "datetime_created": False,
    "datetime_updated": False,
    "decimal": False,
    "file": False,
    "group": True,
    "hash": False,
    "integer": False,
    "json": False,
    "lang": False,
    "m2o": False,
    "o2m": True,
    "owner": False,
    "slug": False,
    "sort": False,
    "status": False,
    "string": False,
    "time": False,
    "translation": True,
    "user": False,
    "user_updated": False,
    "uuid": False,
}
ONE_PER_COLLECTION = {"owner", "user_updated", "status", "sort", "lang", "datetime_created", "datetime_updated"}

# fields.md, POST /fields: the SQL types a definition may name.
SQL_DATATYPES = {
    *("CHAR", "VARCHAR", "TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT"),
    *("TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "SERIAL"),
    *("FLOAT", "DOUBLE", "DECIMAL", "REAL", "NUMERIC"),
    *("BIT", "BINARY", "VARBINARY", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB"),
    *("DATE", "DATETIME", "TIME", "TIMESTAMP", "ENUM", "SET", "JSON"),
    "BOOLEAN",  # not in the spec's list, but what PostgreSQL and SQLite report for booleans
}


def spec_table_types() -> dict[str, bool]:
    """The type table of system-schema.md as {type: alias}."""
    text = SPEC.read_text()
    section = text[text.index("## Directus field types") :]
    section = section[: section.index("\n## ", 3)]
    return {name: alias == "yes" for name, alias in re.findall(r"^\| `(\w+)` \| (yes|no) \|", section, re.M)}


# Directus types --------------------------------------------------------------------------------


@pytest.mark.skipif(not SPEC.exists(), reason=f"spec not found at {SPEC}")
def test_the_type_list_matches_the_spec():
    assert spec_table_types() == DIRECTUS_TYPES


@pytest.mark.parametrize(("name", "alias"), sorted(DIRECTUS_TYPES.items()))
def test_every_directus_type_is_registered_with_its_alias_flag(name, alias):
    registered = field_type(name)
    assert registered is not None and registered.name == name
    assert registered.alias is alias
    if alias:
        assert registered.default_datatype is None
    else:
        # A real type gets a column even when the definition names no datatype.
        assert registered.default_datatype in DATATYPES


def test_no_type_is_registered_that_the_spec_does_not_know():
    assert {t.name for t in FIELD_TYPES.values()} == set(DIRECTUS_TYPES)


def test_types_are_case_insensitive_and_unknown_ones_are_none():
    assert field_type("STRING") is field_type("string")
    assert field_type("M2O").name == "m2o"
    assert field_type("nonsense") is None
    assert field_type("") is None and field_type(None) is None


def test_user_created_is_a_synonym_of_owner():
    assert field_type("user_created") is field_type("owner")
    assert field_type("USER_CREATED").name == "owner"
    assert normalise_type("user_created") == "owner"
    assert normalise_type("Owner") == "owner"
    # Unknown stored types are kept (lower-cased) rather than dropped.
    assert normalise_type("CustomThing") == "customthing"


def test_one_field_per_collection_types():
    assert {t.name for t in FIELD_TYPES.values() if t.unique_per_collection} == ONE_PER_COLLECTION


def test_implicit_relations_and_automatic_values():
    implicit = {t.name: t.implicit_relation for t in FIELD_TYPES.values() if t.implicit_relation}
    assert implicit == {
        "file": "directus_files",
        "owner": "directus_users",
        "user": "directus_users",
        "user_updated": "directus_users",
    }
    filled = {
        t.name: (t.server_fill.value, t.server_fill.on_update, t.server_fill.not_in)
        for t in FIELD_TYPES.values()
        if t.server_fill
    }
    assert filled == {
        "owner": (REQUEST_USER, False, {"directus_users"}),
        "user_updated": (REQUEST_USER, True, set()),
        "datetime_created": (REQUEST_TIME, False, set()),
        "datetime_updated": (REQUEST_TIME, True, set()),
    }


def test_default_datatypes_and_lengths():
    assert (field_type("string").default_datatype, field_type("string").default_length) == ("VARCHAR", 255)
    assert (field_type("boolean").default_datatype, field_type("boolean").default_length) == ("TINYINT", 1)
    assert (field_type("status").default_datatype, field_type("status").default_length) == ("VARCHAR", 20)
    assert field_type("json").default_datatype == "TEXT"
    assert field_type("m2o").default_datatype == "INT"
    assert field_type("uuid").default_length == 36


# SQL datatypes ---------------------------------------------------------------------------------


def test_every_sql_datatype_of_the_spec_is_registered():
    assert set(DATATYPES) == SQL_DATATYPES


def test_length_rules_follow_the_spec():
    required = {name for name, d in DATATYPES.items() if d.length == LengthRule.REQUIRED}
    assert required == {"VARCHAR", "VARBINARY", "ENUM", "SET", "DECIMAL", "CHAR"}
    refused = {name for name, d in DATATYPES.items() if d.length == LengthRule.NONE}
    # Lengths are only allowed for numeric types, CHAR, BINARY and the required ones.
    assert refused == {
        "TINYTEXT",
        "TEXT",
        "MEDIUMTEXT",
        "LONGTEXT",
        "SERIAL",
        "TINYBLOB",
        "BLOB",
        "MEDIUMBLOB",
        "LONGBLOB",
        "DATE",
        "DATETIME",
        "TIMESTAMP",
        "TIME",
        "JSON",
        "BOOLEAN",
    }


@pytest.mark.parametrize(
    ("datatype", "expected"),
    [
        *[(t, "integer") for t in ("TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "SERIAL", "YEAR")],
        *[(t, "decimal") for t in ("DECIMAL", "NUMERIC", "REAL", "FLOAT", "DOUBLE", "DOUBLE PRECISION")],
        *[(t, "binary") for t in ("BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "BIT", "BINARY", "VARBINARY", "BYTEA")],
        ("DATETIME", "datetime"),
        ("TIMESTAMP", "datetime"),
        ("TIMESTAMP WITH TIME ZONE", "datetime"),
        ("DATE", "date"),
        ("TIME", "time"),
        ("JSON", "json"),
        ("JSONB", "json"),
        ("BOOLEAN", "boolean"),
        *[(t, "string") for t in ("CHAR", "VARCHAR", "ENUM", "SET", "TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT")],
        ("UUID", "string"),
        ("varchar", "string"),
        ("int", "integer"),
        ("datetime", "datetime"),
    ],
)
def test_guess_type(datatype, expected):
    assert guess_type(datatype) == expected


# Model fields ----------------------------------------------------------------------------------


def build(datatype: str, **spec) -> models.Field:
    return build_model_field(ColumnSpec(datatype=datatype, **spec), column="col")


@pytest.mark.parametrize(
    ("datatype", "spec", "field_class"),
    [
        ("CHAR", {"length": 10}, models.CharField),
        ("VARCHAR", {"length": 100}, models.CharField),
        ("TINYTEXT", {}, models.TextField),
        ("TEXT", {}, models.TextField),
        ("MEDIUMTEXT", {}, models.TextField),
        ("LONGTEXT", {}, models.TextField),
        ("TINYINT", {}, models.PositiveSmallIntegerField),
        ("TINYINT", {"signed": True}, models.SmallIntegerField),
        ("SMALLINT", {}, models.PositiveSmallIntegerField),
        ("SMALLINT", {"signed": True}, models.SmallIntegerField),
        ("MEDIUMINT", {}, models.PositiveIntegerField),
        ("MEDIUMINT", {"signed": True}, models.IntegerField),
        ("INT", {}, models.PositiveIntegerField),
        ("INT", {"signed": True}, models.IntegerField),
        ("INTEGER", {"signed": True}, models.IntegerField),
        ("BIGINT", {}, models.PositiveBigIntegerField),
        ("BIGINT", {"signed": True}, models.BigIntegerField),
        ("SERIAL", {}, models.BigAutoField),
        ("FLOAT", {}, models.FloatField),
        ("DOUBLE", {}, models.FloatField),
        ("REAL", {}, models.FloatField),
        ("DECIMAL", {"length": (10, 2)}, SizedDecimalField),
        ("NUMERIC", {}, SizedDecimalField),
        ("BIT", {}, models.BinaryField),
        ("BINARY", {}, models.BinaryField),
        ("VARBINARY", {"length": 16}, models.BinaryField),
        ("TINYBLOB", {}, models.BinaryField),
        ("BLOB", {}, models.BinaryField),
        ("MEDIUMBLOB", {}, models.BinaryField),
        ("LONGBLOB", {}, models.BinaryField),
        ("DATE", {}, models.DateField),
        ("DATETIME", {}, models.DateTimeField),
        ("TIMESTAMP", {}, models.DateTimeField),
        ("TIME", {}, models.TimeField),
        ("ENUM", {"length": ["a", "b"]}, models.CharField),
        ("SET", {"length": ["a", "b"]}, models.CharField),
        ("JSON", {}, models.JSONField),
    ],
)
def test_each_datatype_gets_its_django_field(datatype, spec, field_class):
    field = build(datatype, **spec)
    assert type(field) is field_class
    assert field.db_column == "col"


def test_every_registered_datatype_builds_a_field():
    for name, datatype in DATATYPES.items():
        length = {"DECIMAL": (8, 3), "ENUM": ["x"], "SET": ["x"]}.get(name, 10 if datatype.length != "none" else None)
        assert isinstance(build(name, length=length), models.Field), name


def test_datatypes_are_case_insensitive():
    assert type(build("varchar", length=5)) is models.CharField


def test_unsigned_and_signed_integers():
    assert type(build("INT", signed=False)) is models.PositiveIntegerField
    assert type(build("INT", signed=True)) is models.IntegerField
    # The default of a spec is unsigned, as Directus' `signed: false`.
    assert ColumnSpec(datatype="INT").signed is False


def test_auto_increment_keys():
    field = build("INT", primary_key=True, auto_increment=True, nullable=False)
    assert type(field) is models.AutoField and field.primary_key and field.db_column == "col"
    field = build("BIGINT", primary_key=True, auto_increment=True, nullable=False)
    assert type(field) is models.BigAutoField and field.primary_key
    # A key that is not auto-incremented stays a plain integer key.
    field = build("INT", primary_key=True, nullable=False)
    assert type(field) is models.PositiveIntegerField and field.primary_key


def test_character_lengths():
    assert build("VARCHAR", length=100).max_length == 100
    assert build("CHAR", length=36).max_length == 36
    assert build("VARCHAR").max_length == 255
    assert build("ENUM", length=["a", "b"]).max_length == 255


@pytest.mark.parametrize(
    ("length", "digits"), [((10, 2), (10, 2)), ((65, 30), (65, 30)), ((5, 0), (5, 0)), (None, (10, 2))]
)
def test_decimal_precision_and_scale(length, digits):
    field = build("DECIMAL", length=length)
    assert (field.max_digits, field.decimal_places) == digits


def test_decimals_declare_precision_and_scale_on_sqlite():
    field = build("DECIMAL", length=(12, 4))
    assert field.db_type(SimpleNamespace(vendor="sqlite")) == "decimal(12,4)"


@pytest.mark.parametrize("datatype", ["TINYINT", "tinyint"])
def test_booleans_get_a_boolean_column(datatype):
    assert type(build(datatype, length=1, directus_type="boolean")) is models.BooleanField
    # The same TINYINT without the boolean type is a small integer.
    assert type(build(datatype, length=1, directus_type="integer")) is models.PositiveSmallIntegerField


@pytest.mark.parametrize(
    ("datatype", "length", "field_class"),
    [
        ("VARCHAR", 255, CSVCharField),
        ("CHAR", 50, CSVCharField),
        ("TEXT", None, CSVField),
        ("LONGTEXT", None, CSVField),
    ],
)
def test_arrays_are_stored_as_csv(datatype, length, field_class):
    field = build(datatype, length=length, directus_type="array")
    assert type(field) is field_class
    assert field.get_prep_value(["a", "b"]) == "a,b"
    assert field.to_python("a,b,") == ["a", "b"] and field.to_python(None) == []


@pytest.mark.parametrize("datatype", ["TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT"])
def test_json_in_text_columns_is_encoded(datatype):
    field = build(datatype, directus_type="json")
    assert type(field) is JSONTextField
    assert field.get_prep_value({"a": [1]}) == '{"a":[1]}'
    assert field.to_python('{"a":[1]}') == {"a": [1]}


def test_a_json_column_is_a_json_field_whatever_the_type():
    assert type(build("JSON", directus_type="json")) is models.JSONField
    assert type(build("JSON", directus_type="string")) is models.JSONField


def test_nullability_uniqueness_and_keys():
    field = build("VARCHAR", length=10, nullable=True)
    assert field.null and field.blank and not field.unique
    field = build("VARCHAR", length=10, nullable=False, unique=True)
    assert not field.null and not field.blank and field.unique
    field = build("VARCHAR", length=36, primary_key=True, unique=True, nullable=False)
    assert field.primary_key and not field.null
    assert build_model_field(ColumnSpec(datatype="INT"), column="the col", name="attr").name == "attr"


@pytest.mark.parametrize(
    ("datatype", "spec", "default", "expected"),
    [
        ("VARCHAR", {"length": 20}, "draft", "draft"),
        ("INT", {"signed": True}, "-5", -5),
        ("INT", {}, 0, 0),
        ("DECIMAL", {"length": (10, 2)}, "1.50", Decimal("1.50")),
        ("TINYINT", {"length": 1, "directus_type": "boolean"}, False, False),
        ("TINYINT", {"length": 1, "directus_type": "boolean"}, "1", True),
        ("DATE", {}, "2020-01-02", datetime.date(2020, 1, 2)),
    ],
)
def test_literal_defaults_become_database_defaults(datatype, spec, default, expected):
    field = build(datatype, default=default, **spec)
    assert getattr(field.db_default, "value", field.db_default) == expected


@pytest.mark.parametrize(
    ("datatype", "default"),
    [("DATETIME", "CURRENT_TIMESTAMP"), ("INT", "abc"), ("DATE", "0000-00-00"), ("VARCHAR", None)],
)
def test_expressions_and_invalid_defaults_are_left_to_the_database(datatype, default):
    field = build(datatype, length=10 if datatype == "VARCHAR" else None, default=default)
    assert field.db_default is models.NOT_PROVIDED


def test_auto_increment_keys_take_no_default():
    field = build("INT", primary_key=True, auto_increment=True, default="1")
    assert field.db_default is models.NOT_PROVIDED
