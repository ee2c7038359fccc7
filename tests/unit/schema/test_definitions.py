"""Field definitions as clients send them: names, types, lengths and the rules of a new
collection's field list. No database."""

import pytest

from apps.core import errors
from apps.schema.datatypes import ColumnSpec
from apps.schema.definitions import (
    MAX_IDENTIFIER,
    FieldDefinition,
    check_collection_fields,
    check_identifier,
    check_unique_system_types,
    parse_field,
    parse_length,
)


def code_of(raised) -> int:
    return raised.value.code


# Identifiers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["title", "Title2", "a_b", "a1_b2_c3", "x", "user", "key", "x" * MAX_IDENTIFIER, "2fa", "created_on"]
)
def test_good_identifiers_are_kept_as_given(name):
    assert check_identifier(name, "field") == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        None,
        12,
        ["a"],
        "x" * (MAX_IDENTIFIER + 1),
        "a-b",
        "a b",
        "a.b",
        "a;b",
        'a"b',
        "a'b",
        "a`b",
        "é",
        "naïve",
        "_private",
        "__x",
        "a__b",
        "pk__in",
        "select",
        "SELECT",
        "Order",
        "table",
        "where",
        "null",
    ],
)
def test_bad_identifiers_are_refused_with_code_4(name):
    with pytest.raises(errors.InvalidRequest) as raised:
        check_identifier(name, "collection")
    assert (code_of(raised), raised.value.status_code) == (4, 422)


def test_the_message_names_what_was_checked():
    with pytest.raises(errors.InvalidRequest, match=r"^collection: "):
        check_identifier("a b", "collection")
    with pytest.raises(errors.InvalidRequest, match=r"^field: "):
        check_identifier("", "field")


# Lengths ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("datatype", "value", "expected"),
    [
        ("VARCHAR", 255, 255),
        ("VARCHAR", "255", 255),
        ("CHAR", 1, 1),
        ("VARCHAR", 16383, 16383),
        ("INT", 11, 11),
        ("TINYINT", "1", 1),
        ("BIGINT", 20, 20),
        ("DECIMAL", "10,2", (10, 2)),
        ("DECIMAL", " 12 , 4 ", (12, 4)),
        ("DECIMAL", "10", (10, 0)),
        ("DECIMAL", 8, (8, 0)),
        ("DECIMAL", "10,", (10, 0)),
        ("DECIMAL", "65,30", (65, 30)),
        ("DECIMAL", "5,5", (5, 5)),
        ("NUMERIC", "6,3", (6, 3)),
        ("ENUM", ["a", "b"], ["a", "b"]),
        ("ENUM", ("a",), ["a"]),
        ("SET", "a,b,c", ["a", "b", "c"]),
        ("VARCHAR", None, None),
        ("TEXT", "", None),
    ],
)
def test_lengths_are_parsed(datatype, value, expected):
    assert parse_length(datatype, value) == expected


@pytest.mark.parametrize(
    ("datatype", "value"),
    [
        ("VARCHAR", 0),
        ("VARCHAR", -1),
        ("VARCHAR", 16384),
        ("CHAR", 100000),
        ("VARCHAR", "abc"),
        ("VARCHAR", "10,2"),
        ("INT", [1]),
        ("INT", "1.5"),
        ("DECIMAL", "a,b"),
        ("DECIMAL", "10,x"),
        ("DECIMAL", "0,0"),
        ("DECIMAL", "66,2"),
        ("DECIMAL", "5,6"),
        ("DECIMAL", "10,-1"),
    ],
)
def test_bad_lengths_are_refused_with_code_4(datatype, value):
    with pytest.raises(errors.InvalidRequest) as raised:
        parse_length(datatype, value)
    assert code_of(raised) == 4


# One field definition --------------------------------------------------------------------------


def test_a_full_definition():
    definition = parse_field(
        {
            "field": "price",
            "type": "decimal",
            "datatype": "decimal",
            "length": "10,2",
            "signed": True,
            "default_value": "0.00",
            "unique": "1",
            "required": "true",
            "note": "Price",
            "hidden_browse": 0,
            "options": {"a": 1},
            "sort": 3,
        }
    )
    assert definition.name == "price" and definition.type == "decimal" and not definition.alias
    assert definition.spec == ColumnSpec(
        datatype="DECIMAL",
        length=(10, 2),
        signed=True,
        nullable=False,
        default="0.00",
        unique=True,
        primary_key=False,
        auto_increment=False,
        directus_type="decimal",
    )
    assert definition.metadata == {
        "note": "Price",
        "hidden_browse": False,
        "options": {"a": 1},
        "sort": 3,
        "required": True,
    }
    assert "length" in definition.given and "interface" not in definition.given


def test_defaults_of_a_definition():
    spec = parse_field({"field": "n", "type": "integer", "datatype": "INT"}).spec
    assert (spec.signed, spec.nullable, spec.unique, spec.primary_key, spec.auto_increment) == (
        False,
        True,
        False,
        False,
        False,
    )
    assert spec.length is None and spec.default is None


def test_keys_make_not_null_and_nullable_overrides_required():
    assert (
        parse_field({"field": "id", "type": "integer", "datatype": "INT", "primary_key": True}).spec.nullable is False
    )
    spec = parse_field({"field": "n", "type": "integer", "datatype": "INT", "required": True, "nullable": True}).spec
    assert spec.nullable is True
    spec = parse_field({"field": "n", "type": "integer", "datatype": "INT", "nullable": False}).spec
    assert spec.nullable is False


@pytest.mark.parametrize("alias_type", ["alias", "group", "o2m", "translation", "O2M"])
def test_alias_types_have_no_column(alias_type):
    definition = parse_field({"field": "things", "type": alias_type, "interface": "one-to-many", "locked": "1"})
    assert definition.alias and definition.spec is None
    assert definition.type == alias_type.lower()
    assert definition.metadata == {"interface": "one-to-many", "locked": True}


def test_types_are_normalised():
    assert parse_field({"field": "who", "type": "user_created", "datatype": "INT"}).type == "owner"
    assert parse_field({"field": "s", "type": "STRING", "datatype": "VARCHAR", "length": 5}).type == "string"


def test_a_missing_type_is_guessed_from_the_datatype():
    assert parse_field({"field": "n", "datatype": "BIGINT"}).type == "integer"
    assert parse_field({"field": "t", "datatype": "TEXT"}).type == "string"
    assert parse_field({"field": "d", "datatype": "DATETIME"}).type == "datetime"


@pytest.mark.parametrize(
    ("data", "error", "code"),
    [
        # Not an object.
        ([], errors.InvalidPayload, 13),
        ("field", errors.InvalidPayload, 13),
        # Unknown attributes.
        ({"field": "a", "type": "string", "datatype": "TEXT", "colour": "red"}, errors.UnprocessableEntity, 12),
        # Names.
        ({"type": "string", "datatype": "TEXT"}, errors.InvalidRequest, 4),
        ({"field": "a b", "type": "string", "datatype": "TEXT"}, errors.InvalidRequest, 4),
        # Types.
        ({"field": "a", "type": "nonsense", "datatype": "TEXT"}, errors.UnknownType, 401),
        ({"field": "a", "type": "varchar", "datatype": "VARCHAR", "length": 5}, errors.UnknownType, 401),
        ({"field": "a"}, errors.InvalidRequest, 4),
        # Datatypes.
        ({"field": "a", "type": "string"}, errors.UnprocessableEntity, 12),
        ({"field": "a", "type": "string", "datatype": ""}, errors.UnprocessableEntity, 12),
        ({"field": "a", "type": "string", "datatype": "VARCHAR2", "length": 5}, errors.InvalidRequest, 4),
        # Lengths required (402) ...
        ({"field": "a", "type": "string", "datatype": "VARCHAR"}, errors.LengthRequired, 402),
        ({"field": "a", "type": "string", "datatype": "CHAR"}, errors.LengthRequired, 402),
        ({"field": "a", "type": "decimal", "datatype": "DECIMAL"}, errors.LengthRequired, 402),
        ({"field": "a", "type": "string", "datatype": "ENUM"}, errors.LengthRequired, 402),
        ({"field": "a", "type": "string", "datatype": "SET", "length": ""}, errors.LengthRequired, 402),
        ({"field": "a", "type": "binary", "datatype": "VARBINARY"}, errors.LengthRequired, 402),
        # ... and refused (403).
        ({"field": "a", "type": "string", "datatype": "TEXT", "length": 10}, errors.LengthNotSupported, 403),
        ({"field": "a", "type": "date", "datatype": "DATE", "length": 10}, errors.LengthNotSupported, 403),
        ({"field": "a", "type": "binary", "datatype": "BLOB", "length": 10}, errors.LengthNotSupported, 403),
        ({"field": "a", "type": "json", "datatype": "JSON", "length": 10}, errors.LengthNotSupported, 403),
        # Bad length values.
        ({"field": "a", "type": "string", "datatype": "VARCHAR", "length": "x"}, errors.InvalidRequest, 4),
        # Auto increment.
        ({"field": "a", "type": "integer", "datatype": "INT", "auto_increment": True}, errors.UnprocessableEntity, 12),
        (
            {"field": "a", "type": "string", "datatype": "VARCHAR", "length": 5, "primary_key": 1, "auto_increment": 1},
            errors.UnprocessableEntity,
            12,
        ),
        ({"field": "a", "type": "integer", "datatype": "SERIAL"}, errors.UnprocessableEntity, 12),
    ],
)
def test_bad_definitions(data, error, code):
    with pytest.raises(error) as raised:
        parse_field(data)
    assert code_of(raised) == code and raised.value.status_code in {400, 422}


@pytest.mark.parametrize("length", [1, "1", 4])
def test_optional_lengths_are_accepted(length):
    assert parse_field({"field": "a", "type": "integer", "datatype": "TINYINT", "length": length}).spec.length == int(
        length
    )


def test_auto_increment_keys():
    spec = parse_field(
        {"field": "id", "type": "integer", "datatype": "BIGINT", "primary_key": True, "auto_increment": True}
    ).spec
    assert spec.primary_key and spec.auto_increment and not spec.nullable
    assert parse_field({"field": "id", "type": "integer", "datatype": "SERIAL", "primary_key": True}).spec.primary_key


# Changing an existing field --------------------------------------------------------------------


EXISTING = FieldDefinition(
    "name",
    "string",
    ColumnSpec(datatype="VARCHAR", length=100, signed=False, nullable=False, default="x", unique=True),
    {"note": "old"},
    frozenset(),
)


def test_a_partial_change_keeps_the_rest_of_the_column():
    definition = parse_field({"length": 250}, existing=EXISTING)
    assert definition.name == "name" and definition.type == "string"
    assert definition.spec == ColumnSpec(
        datatype="VARCHAR", length=250, nullable=False, default="x", unique=True, directus_type="string"
    )
    assert definition.given == frozenset({"length"})


def test_a_metadata_only_change_keeps_the_column_as_it_is():
    definition = parse_field({"note": "new", "field": "name"}, existing=EXISTING)
    assert definition.spec == ColumnSpec(
        datatype="VARCHAR", length=100, nullable=False, default="x", unique=True, directus_type="string"
    )
    assert definition.metadata == {"note": "new"}


def test_a_new_datatype_drops_the_old_length():
    assert parse_field({"datatype": "TEXT"}, existing=EXISTING).spec.length is None
    with pytest.raises(errors.LengthRequired):
        parse_field({"datatype": "CHAR"}, existing=EXISTING)
    assert parse_field({"datatype": "CHAR", "length": 10}, existing=EXISTING).spec.length == 10


def test_a_change_to_an_alias_type_drops_the_column_spec():
    assert parse_field({"type": "alias"}, existing=EXISTING).spec is None


def test_a_field_can_become_nullable_again():
    assert parse_field({"required": False}, existing=EXISTING).spec.nullable is True
    assert parse_field({"nullable": True}, existing=EXISTING).spec.nullable is True


# A new collection's fields ---------------------------------------------------------------------


def definition(name: str, type_: str = "integer", **spec) -> FieldDefinition:
    column = None if type_ in {"alias", "o2m", "group", "translation"} else ColumnSpec(datatype="INT", **spec)
    return FieldDefinition(name, type_, column, {}, frozenset())


def test_a_good_field_list_passes():
    check_collection_fields(
        [
            definition("id", primary_key=True, auto_increment=True, nullable=False),
            definition("owner", "owner"),
            definition("sort", "sort"),
            definition("status", "status"),
            definition("things", "o2m"),
        ]
    )


@pytest.mark.parametrize(
    ("definitions", "error", "code", "message"),
    [
        ([definition("a"), definition("b")], errors.UnprocessableEntity, 12, "does not have a primary key"),
        ([definition("things", "o2m")], errors.UnprocessableEntity, 12, "does not have a primary key"),
        (
            [definition("a", primary_key=True), definition("b", primary_key=True)],
            errors.UnprocessableEntity,
            12,
            "only have one primary key",
        ),
        (
            [definition("a", primary_key=True, auto_increment=True), definition("b", auto_increment=True)],
            errors.UnprocessableEntity,
            12,
            "only have one auto increment",
        ),
        (
            [definition("id", primary_key=True), definition("name"), definition("name")],
            errors.UnprocessableEntity,
            12,
            "unique",
        ),
        (
            [definition("id", primary_key=True), definition("Name"), definition("name")],
            errors.UnprocessableEntity,
            12,
            "unique",
        ),
        (
            [definition("id", primary_key=True), definition("s1", "status"), definition("s2", "status")],
            errors.InvalidRequest,
            4,
            "Only one system field permitted per table: status",
        ),
        (
            [definition("id", primary_key=True), definition("a", "sort"), definition("b", "sort")],
            errors.InvalidRequest,
            4,
            "sort",
        ),
    ],
)
def test_bad_field_lists(definitions, error, code, message):
    with pytest.raises(error, match=message) as raised:
        check_collection_fields(definitions)
    assert code_of(raised) == code


@pytest.mark.parametrize(
    "type_", ["owner", "user_updated", "status", "sort", "lang", "datetime_created", "datetime_updated"]
)
def test_one_field_per_collection_of_each_system_type(type_):
    with pytest.raises(errors.InvalidRequest) as raised:
        check_unique_system_types([definition("a", type_), definition("b", type_)])
    assert code_of(raised) == 4


def test_other_types_may_repeat():
    check_unique_system_types([definition("a", "user"), definition("b", "user"), definition("c", "file")])


def test_owner_and_user_created_are_the_same_system_type():
    parsed = [
        parse_field({"field": "a", "type": "owner", "datatype": "INT"}),
        parse_field({"field": "b", "type": "user_created", "datatype": "INT"}),
    ]
    with pytest.raises(errors.InvalidRequest, match="owner"):
        check_unique_system_types(parsed)
