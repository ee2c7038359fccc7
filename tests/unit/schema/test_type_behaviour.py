"""What each Directus type does with its values (apps/schema/types.py, wire.py, columns.py): as
sent, as stored, as GraphQL and OpenAPI describe them, how filters treat them. No database: fields
are described by hand."""

import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import graphene
import pytest

from apps.core import errors
from apps.graphql.types import JSON, DateTime, filter_input_scalar, key_input, output_scalar
from apps.items.keys import split_ids
from apps.items.values import to_column
from apps.schema.datatypes import (
    DATATYPES,
    INTEGER_DATATYPES,
    ColumnSpec,
    build_model_field,
    closest_datatype,
    is_integer,
    is_wide_integer,
)
from apps.schema.description import CollectionInfo, FieldInfo, RelationInfo
from apps.schema.introspect import ColumnInfo
from apps.schema.types import FIELD_TYPES, UNKNOWN_TYPE, column_schema, field_type, mirrored_slug
from apps.schema.wire import PLAIN_CLASSES

ALIAS_TYPES = {"alias", "group", "o2m", "translation"}
COLUMN_TYPES = sorted({t.name for t in FIELD_TYPES.values()} - ALIAS_TYPES)


def field(
    directus_type: str,
    datatype: str = "VARCHAR",
    length=255,
    *,
    primary_key: bool = False,
    nullable: bool = True,
    relation: str | None = None,
    meta: dict | None = None,
) -> FieldInfo:
    """A described field; `relation` is the kind of relation it has (m2o, o2m, m2m)."""
    if directus_type in ALIAS_TYPES:
        column = None
    else:
        column = ColumnInfo(
            name="f",
            datatype=datatype,
            length=length,
            nullable=nullable and not primary_key,
            default=None,
            primary_key=primary_key,
            auto_increment=primary_key,
            unique=primary_key,
            signed=True,
        )
    info = FieldInfo("f", directus_type, column, meta)
    info.relation = RelationInfo(relation, "others") if relation else None
    return info


def model_field(datatype: str, length=None, directus_type: str = "string", signed: bool = False):
    return build_model_field(
        ColumnSpec(datatype=datatype, length=length, signed=signed, directus_type=directus_type), column="f"
    )


def stored(directus_type: str, value, datatype: str = "VARCHAR", length=None, signed: bool = False):
    info = field(directus_type, datatype, length)
    return to_column("things", info, value, model_field(datatype, length, directus_type, signed))


# Looking a field's type up --------------------------------------------------------------------


def test_a_field_knows_its_type_once():
    info = field("string")
    assert info.field_type is FIELD_TYPES["string"]
    assert info.field_type is info.field_type


def test_a_type_this_server_does_not_know_behaves_as_its_column():
    info = field("customthing", "INT")
    assert info.field_type is UNKNOWN_TYPE
    assert info.field_type.wire(Decimal("1.5")) == 1.5
    assert info.field_type.graphql_type(info) == "Int"
    assert info.field_type.openapi_schema(info) == {"type": "integer"}
    assert info.field_type.filter_kind(info) == "text"
    assert info.field_type.server_fill is None and not info.field_type.searched


# Wire values ----------------------------------------------------------------------------------

UTC_STAMP = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
PARIS_STAMP = datetime.datetime(2020, 1, 2, 4, 4, 5, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.parametrize(
    ("directus_type", "value", "sent"),
    [
        # Most types: plain values as they are, the rest as Directus 8 sent them.
        ("string", "text", "text"),
        ("integer", 5, 5),
        ("decimal", 1.5, 1.5),
        ("decimal", Decimal("1.50"), 1.5),
        ("datetime", UTC_STAMP, "2020-01-02 03:04:05"),
        ("datetime", PARIS_STAMP, "2020-01-02 03:04:05"),
        ("datetime", "2020-01-02 03:04:05", "2020-01-02 03:04:05"),
        ("date", datetime.date(2020, 1, 2), "2020-01-02"),
        ("time", datetime.time(3, 4, 5), "03:04:05"),
        ("uuid", uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        ("binary", b"\x00\x01", "AAE="),
        ("binary", memoryview(b"\x00\x01"), "AAE="),
        ("m2o", 7, 7),
        ("string", True, True),
        ("string", None, None),
        # Booleans whatever the column holds.
        ("boolean", 1, True),
        ("boolean", 0, False),
        ("boolean", True, True),
        ("boolean", "1", True),
        ("boolean", "false", False),
        ("boolean", None, None),
        # Server-set timestamps as ISO 8601.
        ("datetime_created", UTC_STAMP, "2020-01-02T03:04:05+00:00"),
        ("datetime_updated", PARIS_STAMP, "2020-01-02T03:04:05+00:00"),
        ("datetime_updated", datetime.datetime(2020, 1, 2, 3, 4, 5), "2020-01-02T03:04:05"),
        ("datetime_created", "2020-01-02 03:04:05", "2020-01-02 03:04:05"),
        ("datetime_created", None, None),
        # JSON text decoded; text that is not JSON as it is.
        ("json", '{"a": [1]}', {"a": [1]}),
        ("json", "not json", "not json"),
        ("json", {"a": 1}, {"a": 1}),
        ("json", 5, 5),
        ("json", None, None),
        # Arrays from CSV text.
        ("array", "a,b,", ["a", "b"]),
        ("array", "", []),
        ("array", ["a"], ["a"]),
        ("array", None, []),
    ],
)
def test_wire_values(directus_type, value, sent):
    assert field_type(directus_type).wire(value) == sent


def test_types_that_rewrite_plain_values_and_datetimes():
    rewriting = {t.name for t in FIELD_TYPES.values() if not t.keeps_plain}
    assert rewriting == {"boolean", "json", "array"}
    own_datetimes = {t.name for t in FIELD_TYPES.values() if not t.plain_datetimes}
    assert own_datetimes == {"boolean", "json", "array", "datetime_created", "datetime_updated"}


@pytest.mark.parametrize("directus_type", COLUMN_TYPES)
def test_a_type_that_keeps_plain_values_sends_them_as_they_are(directus_type):
    # The reader skips `wire` for these values of such types: it must agree.
    registered = field_type(directus_type)
    for value in ("text", "", 5, 1.5):
        assert value.__class__ in PLAIN_CLASSES
        if registered.keeps_plain:
            assert registered.wire(value) is value


# Column values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("directus_type", "datatype", "length", "value", "expected"),
    [
        ("string", "VARCHAR", 5, "abc", "abc"),
        ("string", "VARCHAR", 5, 12, "12"),
        ("string", "VARCHAR", 5, 1.5, "1.5"),
        ("string", "VARCHAR", 5, Decimal("2.50"), "2.50"),
        ("integer", "INT", None, "5", 5),
        ("integer", "INT", None, True, 1),
        ("sort", "INT", None, 3, 3),
        ("m2o", "INT", None, "7", 7),
        ("decimal", "DECIMAL", (10, 2), "1.50", Decimal("1.50")),
        ("decimal", "FLOAT", None, "1.5", 1.5),
        ("boolean", "TINYINT", 1, "1", True),
        ("boolean", "TINYINT", 1, 0, False),
        ("boolean", "TINYINT", 1, "false", False),
        ("datetime", "DATETIME", None, "2020-01-02 03:04:05", UTC_STAMP),
        ("datetime", "DATETIME", None, "2020-01-02T03:04:05Z", UTC_STAMP),
        ("datetime", "DATETIME", None, "2020-01-02", datetime.datetime(2020, 1, 2, tzinfo=datetime.UTC)),
        ("date", "DATE", None, "2020-01-02 10:00:00", datetime.date(2020, 1, 2)),
        ("time", "TIME", None, "03:04:05", datetime.time(3, 4, 5)),
        ("binary", "BLOB", None, "ab", b"ab"),
        ("array", "VARCHAR", 100, ["a", 1, 1.5], ["a", "1", "1.5"]),
        ("json", "TEXT", None, {"a": [1, "é"]}, '{"a": [1, "é"]}'),
        ("json", "TEXT", None, "kept as given", "kept as given"),
        ("json", "JSON", None, {"a": 1}, {"a": 1}),
        ("string", "VARCHAR", 5, None, None),
    ],
)
def test_column_values(directus_type, datatype, length, value, expected):
    assert stored(directus_type, value, datatype, length) == expected


@pytest.mark.parametrize(
    ("directus_type", "datatype", "length", "value", "error"),
    [
        ("string", "VARCHAR", 5, "too long", errors.UnprocessableEntity),
        ("string", "VARCHAR", 5, True, errors.InvalidRequest),
        ("string", "VARCHAR", 5, {"a": 1}, errors.ArrayValueNotAllowed),
        ("string", "VARCHAR", 5, "a\x00b", errors.InvalidRequest),
        ("integer", "INT", None, "five", errors.InvalidRequest),
        ("integer", "INT", None, -1, errors.UnprocessableEntity),  # unsigned
        ("integer", "INT", None, [1], errors.ArrayValueNotAllowed),
        ("decimal", "DECIMAL", (10, 2), "1.555", errors.UnprocessableEntity),
        ("decimal", "DECIMAL", (10, 2), "NaN", errors.InvalidRequest),
        ("decimal", "FLOAT", None, "many", errors.InvalidRequest),
        ("boolean", "TINYINT", 1, "maybe", errors.InvalidRequest),
        ("datetime", "DATETIME", None, "2020-13-45", errors.InvalidRequest),
        ("date", "DATE", None, 20200102, errors.InvalidRequest),
        ("time", "TIME", None, "25:61:00", errors.InvalidRequest),
        ("array", "VARCHAR", 100, "a,b", errors.InvalidRequest),
        ("array", "VARCHAR", 100, [None], errors.InvalidRequest),
    ],
)
def test_values_a_column_cannot_store(directus_type, datatype, length, value, error):
    with pytest.raises(error):
        stored(directus_type, value, datatype, length)


def test_a_signed_integer_column_takes_negative_numbers():
    assert stored("integer", "-3", "INT", signed=True) == -3


def test_hashes_are_stored_hashed_once():
    hashed = stored("hash", "secret")
    assert hashed.startswith("$2y$") and hashed != "secret"
    assert stored("hash", hashed) == hashed
    assert field_type("hash").one_way
    assert {t.name for t in FIELD_TYPES.values() if t.one_way} == {"hash"}


def test_only_json_and_arrays_take_objects_and_arrays():
    assert {t.name for t in FIELD_TYPES.values() if t.structured} == {"json", "array"}


# Values the server fills ----------------------------------------------------------------------


def test_a_slug_mirrors_another_field_of_the_payload():
    info = field("slug", meta={"options": {"mirroredField": "title"}})
    assert mirrored_slug(info, {"title": "Hello World!"}) == "hello-world"
    assert mirrored_slug(info, {"title": "x", "f": "given"}) is None  # given: kept
    assert mirrored_slug(info, {"other": "x"}) is None
    keep_case = field("slug", meta={"options": {"mirroredField": "title", "forceLowercase": False}})
    assert mirrored_slug(keep_case, {"title": "Hello World!"}) == "Hello-World"
    assert field_type("slug").from_payload is mirrored_slug
    assert {t.name for t in FIELD_TYPES.values() if t.from_payload} == {"slug"}


# Filters --------------------------------------------------------------------------------------

FILTER_KINDS = {
    "boolean": "boolean",
    **dict.fromkeys(["status", "owner", "user_updated", "user", "lang"], "choice"),
    **dict.fromkeys(
        ["integer", "decimal", "sort", "date", "time", "datetime", "datetime_created", "datetime_updated"], "ordered"
    ),
    **dict.fromkeys(["string", "slug", "hash", "uuid", "json", "array", "binary", "m2o", "file"], "text"),
}


@pytest.mark.parametrize("directus_type", COLUMN_TYPES)
def test_filter_kind_of_each_type(directus_type):
    info = field(directus_type, "INT" if directus_type in {"m2o", "file"} else "VARCHAR")
    assert info.field_type.filter_kind(info) == FILTER_KINDS[directus_type]


def test_filter_kinds_of_keys_and_relations():
    key = field("string", primary_key=True)
    assert key.field_type.filter_kind(key) == "ordered"
    for directus_type, kind in [("m2o", "m2o"), ("file", "m2o"), ("integer", "m2o"), ("owner", "choice")]:
        info = field(directus_type, "INT", relation="m2o")
        assert info.field_type.filter_kind(info) == kind, directus_type
    for relation in ("o2m", "m2m"):
        info = field("o2m", relation=relation)
        assert info.field_type.filter_kind(info) == "to_many"
    alias = field("alias")
    assert alias.field_type.filter_kind(alias) is None


def test_what_now_stands_for_and_what_q_searches():
    now = {t.name: t.now for t in FIELD_TYPES.values() if t.now}
    assert now == {
        "date": "date",
        "datetime": "datetime",
        "datetime_created": "datetime",
        "datetime_updated": "datetime",
    }
    assert {t.name for t in FIELD_TYPES.values() if t.searched} == {"string", "integer", "decimal"}


# GraphQL --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("directus_type", "datatype", "scalar"),
    [
        ("boolean", "TINYINT", "Boolean"),
        ("integer", "INT", "Int"),
        ("integer", "BIGINT", "BigInt"),
        ("sort", "INT", "Int"),
        ("decimal", "DECIMAL", "Float"),
        ("json", "TEXT", "JSON"),
        ("datetime", "DATETIME", "DateTime"),
        ("datetime_created", "DATETIME", "DateTime"),
        ("datetime_updated", "DATETIME", "DateTime"),
        ("date", "DATE", "Date"),
        ("time", "TIME", "Time"),
        ("array", "VARCHAR", "[String]"),
        ("string", "VARCHAR", "String"),
        ("status", "VARCHAR", "String"),
        ("uuid", "CHAR", "String"),
        ("binary", "BLOB", "String"),
        # Keys shown raw take their column's type.
        ("m2o", "INT", "Int"),
        ("m2o", "VARCHAR", "String"),
        ("file", "INT", "Int"),
        ("owner", "BIGINT", "BigInt"),
        ("user", "YEAR", "Int"),
    ],
)
def test_graphql_type_of_each_type(directus_type, datatype, scalar):
    info = field(directus_type, datatype)
    assert info.field_type.graphql_type(info) == scalar


def test_graphql_keys_and_filter_inputs():
    key = field("integer", "INT", primary_key=True)
    assert key.field_type.graphql_type(key) == "ID"
    keys = {datatype: field("integer", datatype, primary_key=True) for datatype in ("INT", "SERIAL", "YEAR", "VARCHAR")}
    assert {name: info.field_type.graphql_key(info) for name, info in keys.items()} == {
        "INT": "Int",
        "SERIAL": "BigInt",
        "YEAR": "Int",
        "VARCHAR": "ID",
    }
    inputs = {
        name: info.field_type.graphql_input(info)
        for name, info in {
            "key": key,
            "string": field("string"),
            "integer": field("integer", "INT"),
            "big": field("integer", "BIGINT"),
            "decimal": field("decimal", "DECIMAL"),
            "boolean": field("boolean", "TINYINT"),
            "datetime": field("datetime", "DATETIME"),
            "json": field("json", "TEXT"),
        }.items()
    }
    assert inputs == {
        "key": "ID",
        "string": "String",
        "integer": "Int",
        "big": "BigInt",
        "decimal": "Float",
        "boolean": "Boolean",
        "datetime": "String",
        "json": "String",
    }


def test_graphene_types_of_the_names():
    assert output_scalar(field("json", "TEXT")) is JSON
    assert output_scalar(field("datetime", "DATETIME")) is DateTime
    assert output_scalar(field("integer", "BIGINT")) is graphene.BigInt
    array = output_scalar(field("array"))
    assert isinstance(array, graphene.List) and array.of_type is graphene.String
    assert key_input(field("integer", "SERIAL", primary_key=True)) is graphene.BigInt
    assert filter_input_scalar(field("decimal", "DECIMAL"), "gt") is graphene.Float
    assert filter_input_scalar(field("decimal", "DECIMAL"), "in") is graphene.String


# OpenAPI --------------------------------------------------------------------------------------

KEY_NOTE = "primary key of the related item ({})"
PLAIN_DATETIME = {
    "type": "string",
    "description": "Sent as `YYYY-MM-DD HH:MM:SS`; ISO 8601 is accepted too.",
    "example": "2024-01-02 03:04:05",
}


@pytest.mark.parametrize(
    ("directus_type", "datatype", "length", "schema"),
    [
        ("string", "VARCHAR", 100, {"type": "string", "maxLength": 100}),
        ("string", "TEXT", None, {"type": "string"}),
        ("slug", "CHAR", 10, {"type": "string", "maxLength": 10}),
        ("hash", "VARCHAR", 255, {"type": "string", "maxLength": 255}),
        ("status", "VARCHAR", 20, {"type": "string", "maxLength": 20}),
        ("lang", "VARCHAR", 8, {"type": "string", "maxLength": 8}),
        ("integer", "INT", 10, {"type": "integer"}),
        ("sort", "INT", 10, {"type": "integer"}),
        ("decimal", "DECIMAL", "10,2", {"type": "number"}),
        ("boolean", "TINYINT", 1, {"type": "boolean"}),
        ("datetime", "DATETIME", None, PLAIN_DATETIME),
        ("datetime_created", "DATETIME", None, {"type": "string", "format": "date-time"}),
        ("datetime_updated", "TIMESTAMP", None, {"type": "string", "format": "date-time"}),
        ("date", "DATE", None, {"type": "string", "format": "date"}),
        ("time", "TIME", None, {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$"}),
        ("array", "VARCHAR", 255, {"type": "array", "items": {"type": "string"}}),
        ("json", "TEXT", None, {"type": "object"}),
        ("uuid", "CHAR", 36, {"type": "string", "format": "uuid"}),
        ("binary", "BLOB", None, {"type": "string"}),
        # Keys: their column says integer or string.
        ("m2o", "INT", 10, {"type": "integer", "description": "primary key of the related item (m2o)"}),
        ("file", "INT", 10, {"type": "integer", "description": "primary key of the related item (file)"}),
        ("owner", "VARCHAR", 36, {"type": "string", "description": "primary key of the related item (owner)"}),
        ("user", "YEAR", None, {"type": "integer", "description": "primary key of the related item (user)"}),
        (
            "user_updated",
            "INT",
            10,
            {"type": "integer", "description": "primary key of the related item (user_updated)"},
        ),
    ],
)
def test_openapi_schema_of_each_type(directus_type, datatype, length, schema):
    info = field(directus_type, datatype, length)
    assert info.field_type.openapi_schema(info) == schema


def test_openapi_schemas_of_aliases_and_unknown_types():
    assert field("o2m").field_type.openapi_schema(field("o2m")) == {
        "type": "array",
        "items": {},
        "description": "related items (o2m)",
    }
    assert field("translation").field_type.openapi_schema(field("translation"))["description"] == (
        "related items (translation)"
    )
    assert field("alias").field_type.openapi_schema(field("alias")) is None
    assert field("group").field_type.openapi_schema(field("group")) is None
    unknown = field("customthing", "DOUBLE")
    assert unknown.field_type.openapi_schema(unknown) == {"type": "number"}


def test_openapi_schemas_are_new_each_time():
    info = field("array")
    first = info.field_type.openapi_schema(info)
    first["items"]["type"] = "changed"
    assert info.field_type.openapi_schema(info) == {"type": "array", "items": {"type": "string"}}


@pytest.mark.parametrize(
    ("datatype", "schema"),
    [
        *[(datatype, {"type": "integer"}) for datatype in sorted(INTEGER_DATATYPES)],
        *[(datatype, {"type": "number"}) for datatype in ("DECIMAL", "NUMERIC", "FLOAT", "DOUBLE", "REAL")],
        ("DATETIME", PLAIN_DATETIME),
        ("TIMESTAMP", PLAIN_DATETIME),
        ("DATE", {"type": "string", "format": "date"}),
        ("BOOLEAN", {"type": "boolean"}),
        ("JSON", {"type": "object"}),
        ("VARCHAR", {"type": "string"}),
        ("TIME", {"type": "string"}),
        ("int(11)", {"type": "integer"}),
    ],
)
def test_openapi_schema_of_a_bare_column(datatype, schema):
    assert column_schema(datatype) == schema


# SQL datatypes that hold integers ------------------------------------------------------------


def test_one_integer_classification():
    assert {"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "SERIAL", "YEAR"} == INTEGER_DATATYPES
    assert all(is_integer(name.lower()) for name in INTEGER_DATATYPES)
    assert not any(is_integer(name) for name in ("DECIMAL", "FLOAT", "VARCHAR", "GEOMETRY"))
    assert {name for name in INTEGER_DATATYPES if is_wide_integer(name)} == {"BIGINT", "SERIAL"}


def test_columns_of_unregistered_datatypes_get_the_closest_registered_one():
    assert closest_datatype("YEAR") == "BIGINT"
    assert closest_datatype("UNSIGNED BIGINT") == "BIGINT"
    assert closest_datatype("SERIAL") == "SERIAL"
    assert closest_datatype("UUID") == "TEXT"
    assert closest_datatype("TIMESTAMPTZ") == "DATETIME"
    assert closest_datatype("GEOMETRY") == "TEXT"
    assert all(closest_datatype(name) == name for name in DATATYPES)


@pytest.mark.parametrize(
    ("datatype", "keys"),
    [
        *[(datatype, [2002, 1]) for datatype in sorted(INTEGER_DATATYPES)],
        ("VARCHAR", ["2002", "1"]),
        ("CHAR", ["2002", "1"]),
    ],
)
def test_keys_in_paths_are_integers_when_their_column_holds_integers(datatype, keys):
    collection = CollectionInfo("things", {"id": field("integer", datatype, primary_key=True)}, meta=None)
    assert split_ids(collection, "2002,1") == keys


def test_a_key_that_is_no_integer_is_not_found():
    collection = CollectionInfo("things", {"id": field("integer", "SERIAL", primary_key=True)}, meta=None)
    with pytest.raises(errors.ItemNotFound):
        split_ids(collection, "1,first")
