"""Snapshots as plain data: the engine-neutral form of a field, the document's checks and
text, and the plan between two snapshots. No database."""

import copy

import pytest

from apps.core import errors
from apps.snapshots.canonical import as_reported, definition_form
from apps.snapshots.document import FORMAT_VERSION, as_document, dumps, loads, parse
from apps.snapshots.plan import check, diff

ID = {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True}
TITLE = {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100, "required": True}


def document(*collections, relations=()) -> dict:
    return {"version": 1, "collections": list(collections), "relations": list(relations)}


def collection(name: str, *fields, **meta) -> dict:
    return {"collection": name, "fields": [ID, *fields], **meta}


def lines(current: dict, desired: dict, vendor: str = "sqlite") -> list[str]:
    return [change.line() for change in diff(parse(current), parse(desired), vendor)]


# The engine-neutral form -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "form"),
    [
        ({"datatype": "CHAR", "length": 10}, {"datatype": "VARCHAR", "length": 10}),
        ({"datatype": "ENUM", "length": ["a", "b"]}, {"datatype": "VARCHAR", "length": 255}),
        ({"datatype": "LONGTEXT"}, {"datatype": "TEXT", "length": None}),
        ({"datatype": "TINYTEXT"}, {"datatype": "TEXT", "length": None}),
        ({"datatype": "MEDIUMINT", "length": 9}, {"datatype": "INT", "length": None, "signed": False}),
        ({"datatype": "INT", "length": 11, "signed": True}, {"datatype": "INT", "length": None, "signed": True}),
        ({"datatype": "TINYINT", "signed": True}, {"datatype": "SMALLINT", "signed": True}),
        ({"datatype": "REAL"}, {"datatype": "DOUBLE"}),
        ({"datatype": "FLOAT"}, {"datatype": "DOUBLE"}),
        ({"datatype": "NUMERIC", "length": "8,3"}, {"datatype": "DECIMAL", "length": "8,3"}),
        ({"datatype": "VARBINARY", "length": 16}, {"datatype": "BLOB", "length": None}),
        ({"datatype": "TIMESTAMP"}, {"datatype": "DATETIME"}),
        ({"datatype": "VARCHAR", "length": 20, "default_value": "draft"}, {"default_value": "draft"}),
        ({"datatype": "INT", "signed": True, "default_value": "-2"}, {"default_value": -2}),
        ({"datatype": "DECIMAL", "length": "10,2", "default_value": "1.50"}, {"default_value": "1.5"}),
        ({"datatype": "DECIMAL", "length": "10,2", "default_value": 100}, {"default_value": "100"}),
        ({"datatype": "DATE", "default_value": "2020-01-02"}, {"default_value": "2020-01-02"}),
    ],
)
def test_a_definition_takes_the_form_of_the_column_it_makes(sent, form):
    made = definition_form({"field": "f", "type": "string", **sent})
    assert {key: made[key] for key in form} == form


def test_a_boolean_is_a_boolean_column_whether_sent_as_tinyint_or_boolean():
    tinyint = definition_form({"field": "f", "type": "boolean", "datatype": "TINYINT", "length": 1, "default_value": 0})
    boolean = definition_form({"field": "f", "type": "boolean", "datatype": "BOOLEAN", "default_value": "false"})
    assert tinyint == boolean
    assert (tinyint["datatype"], tinyint["length"], tinyint["default_value"]) == ("BOOLEAN", None, False)


def test_a_field_left_without_metadata_has_the_defaults_of_a_field_row():
    form = definition_form({"field": "f", "type": "o2m"})
    assert form == {
        "field": "f",
        "type": "o2m",
        "interface": None,
        "options": None,
        "locked": False,
        "validation": None,
        "required": False,
        "readonly": False,
        "hidden_detail": False,
        "hidden_browse": False,
        "sort": None,
        "width": "full",
        "group": None,
        "note": None,
        "translation": None,
    }


def test_a_boolean_column_of_another_type_is_the_small_integer_mariadb_makes_of_it():
    made = definition_form({"field": "f", "type": "integer", "datatype": "BOOLEAN", "default_value": True})
    assert (made["datatype"], made["default_value"], made["signed"]) == ("SMALLINT", 1, True)


def test_required_makes_the_column_not_null_unless_nullable_says_otherwise():
    assert definition_form(TITLE)["nullable"] is False
    assert definition_form({**TITLE, "nullable": True})["nullable"] is True
    assert definition_form({**TITLE, "nullable": True})["required"] is True


@pytest.mark.parametrize(
    ("form", "vendor", "reported"),
    [
        ({"datatype": "JSON"}, "sqlite", {"datatype": "TEXT"}),
        ({"datatype": "JSON"}, "mysql", {"datatype": "TEXT"}),
        ({"datatype": "JSON"}, "postgresql", {"datatype": "JSON"}),
        ({"datatype": "BIGINT", "primary_key": True, "auto_increment": True}, "sqlite", {"datatype": "INT"}),
        ({"datatype": "BIGINT", "primary_key": True, "auto_increment": True}, "mysql", {"datatype": "BIGINT"}),
        ({"datatype": "INT", "primary_key": True}, "sqlite", {"auto_increment": True}),
        ({"datatype": "INT", "primary_key": True}, "postgresql", {"auto_increment": False}),
    ],
)
def test_what_an_engine_reports_of_a_form_it_cannot_keep(form, vendor, reported):
    base = {"type": "json", "length": None, "default_value": None, "primary_key": False, "auto_increment": False}
    got = as_reported({**base, "signed": True, **form}, vendor)
    assert {key: got[key] for key in reported} == reported


# The document ------------------------------------------------------------------------------------


def test_a_document_is_written_in_one_order_whatever_order_it_was_given_in():
    one = document(collection("b", TITLE), collection("a", {**TITLE, "sort": 2}, {**TITLE, "field": "x", "sort": 1}))
    other = copy.deepcopy(one)
    other["collections"].reverse()
    other["collections"][0]["fields"].reverse()
    written = as_document(parse(one))
    assert written == as_document(parse(other))
    assert list(written) == ["version", "directus", "engine", "collections", "relations"]
    assert [c["collection"] for c in written["collections"]] == ["a", "b"]
    assert [f["field"] for f in written["collections"][0]["fields"]] == ["x", "title", "id"]
    keys = list(written["collections"][0]["fields"][0])
    assert keys[0] == "field" and keys[1:] == sorted(keys[1:])
    keys = list(written["collections"][0])
    assert keys[0] == "collection" and keys[-1] == "fields" and keys[1:-1] == sorted(keys[1:-1])


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_document_reads_back_from_its_text(fmt):
    written = as_document(parse(document(collection("a", {**TITLE, "options": {"a": [1, {"b": None}], "é": "ü"}}))))
    assert loads(dumps(written, fmt)) == written


def test_yaml_aliases_and_endless_nesting_are_refused():
    with pytest.raises(errors.InvalidRequest, match="aliases"):
        loads("a: &x [1, 2]\nb: [*x, *x]\n")
    with pytest.raises(errors.InvalidRequest, match="nested too deeply"):
        loads("[" * 100_000)


@pytest.mark.parametrize(
    ("sent", "error", "named"),
    [
        ([], errors.InvalidPayload, "object"),
        ("text", errors.InvalidPayload, "object"),
        ({"collections": []}, errors.InvalidRequest, "version: missing"),
        ({"version": FORMAT_VERSION + 1, "collections": []}, errors.InvalidRequest, "version: 2 is newer"),
        ({"version": "1"}, errors.InvalidRequest, "version"),
        ({"version": 1, "tables": []}, errors.InvalidRequest, "unknown keys: tables"),
        ({"version": 1, "collections": {}}, errors.InvalidRequest, "collections: must be a list"),
        (
            {"version": 1, "collections": [{"collection": "a", "fields": [ID], "color": 1}]},
            errors.InvalidRequest,
            'collections[0] "a"',
        ),
        (
            document(collection("a", {**TITLE, "collection": "a"})),
            errors.InvalidRequest,
            'fields[1] "title": unknown keys: collection',
        ),
        (
            document(collection("a", {**TITLE, "type": "colour"})),
            errors.UnknownType,
            'fields[1] "title": Unknown type: colour',
        ),
        (document(collection("a", {**TITLE, "length": None})), errors.LengthRequired, '"title"'),
        (document(collection("a", {**TITLE, "datatype": "WIDE"})), errors.InvalidRequest, "unknown datatype WIDE"),
        (
            document(collection("a", {"field": "n", "type": "integer", "datatype": "INT", "default_value": "x"})),
            errors.InvalidRequest,
            'default value "x"',
        ),
        (document(collection("a", TITLE, TITLE)), errors.InvalidRequest, "appears twice"),
        (document(collection("a"), collection("a")), errors.InvalidRequest, 'collection "a" appears twice'),
        (document(collection("directus_users")), errors.InvalidRequest, "system collections"),
        (document(collection("a", hidden="yes")), errors.InvalidRequest, "hidden: must be true or false"),
        (document(relations=[{"collection_many": "a"}]), errors.InvalidRequest, "relations[0].field_many: required"),
        (
            document(relations=[{"collection_many": "a", "field_many": "b", "id": 3}]),
            errors.InvalidRequest,
            "unknown keys: id",
        ),
    ],
)
def test_a_bad_document_is_refused_naming_what_is_wrong(sent, error, named):
    with pytest.raises(error) as raised:
        parse(sent)
    assert type(raised.value) is error
    assert named in raised.value.message


# The plan --------------------------------------------------------------------------------------


def test_the_same_snapshot_changes_nothing():
    blog = document(collection("a", TITLE), relations=[{"collection_many": "a", "field_many": "title"}])
    assert lines(blog, blog) == []


def test_the_plan_creates_then_changes_then_relates_then_destroys():
    current = document(
        collection("kept", TITLE, {"field": "old", "type": "string", "datatype": "TEXT"}),
        collection("gone", TITLE),
        relations=[{"collection_many": "gone", "field_many": "title", "collection_one": "kept"}],
    )
    desired = document(
        collection(
            "kept", {**TITLE, "length": 200}, {"field": "new", "type": "integer", "datatype": "INT"}, hidden=True
        ),
        collection("fresh", TITLE),
        relations=[{"collection_many": "kept", "field_many": "new", "collection_one": "fresh"}],
    )
    assert lines(current, desired) == [
        "+ collection fresh (2 fields)",
        "~ collection kept: hidden false -> true",
        "~ field kept.title: length 100 -> 200",
        "+ field kept.new (integer INT)",
        "+ relation kept.new -> fresh",
        "- relation gone.title -> kept",
        "- field kept.old (string TEXT)",
        "- collection gone",
    ]


def test_a_field_that_becomes_an_alias_loses_its_column_and_is_planned_with_the_drops():
    current = document(collection("a", TITLE, {"field": "n", "type": "integer", "datatype": "INT"}))
    desired = document(collection("a", TITLE, {"field": "n", "type": "o2m"}))
    [change] = diff(parse(current), parse(desired), "sqlite")
    assert change.drops_column and change.destroys
    assert change.before["datatype"] == "INT" and change.after["datatype"] is None


def test_what_the_engine_cannot_keep_is_no_change():
    json_field = {"field": "data", "type": "json", "datatype": "JSON"}
    on_sqlite = document(collection("a", {**json_field, "datatype": "TEXT"}))
    assert lines(on_sqlite, document(collection("a", json_field)), "sqlite") == []
    assert lines(on_sqlite, document(collection("a", json_field)), "postgresql") == [
        '~ field a.data: datatype "TEXT" -> "JSON"'
    ]


def test_a_structured_change_says_what_was_and_what_becomes():
    [change] = diff(
        parse(document(collection("a", TITLE))), parse(document(collection("a", {**TITLE, "note": "x"}))), "sqlite"
    )
    assert change.as_dict() == {
        "action": "update",
        "kind": "field",
        "collection": "a",
        "field": "title",
        "before": {"note": None},
        "after": {"note": "x"},
    }


@pytest.mark.parametrize(
    ("desired", "named"),
    [
        (
            document(collection("a", TITLE), relations=[{"collection_many": "a", "field_many": "nope"}]),
            'field "nope"',
        ),
        (document(relations=[{"collection_many": "b", "field_many": "x"}]), 'collection "b" is not in the snapshot'),
        (
            document(
                collection("a", TITLE),
                relations=[{"collection_many": "a", "field_many": "title", "collection_one": "c"}],
            ),
            'collection "c" is neither',
        ),
        (
            document(
                collection("a", TITLE),
                relations=[{"collection_many": "a", "field_many": "title", "collection_one": "directus_fields"}],
            ),
            "not allowed",
        ),
        (
            document(
                collection("a", TITLE),
                relations=[{"collection_many": "a", "field_many": "title", "collection_one": "a", "field_one": "x"}],
            ),
            'field "a.x"',
        ),
        (document(collection("a", {**TITLE, "group": "nothing"})), 'group "nothing"'),
        (document({"collection": "b", "fields": [TITLE]}), "primary key"),
        (
            document(
                collection(
                    "a",
                    TITLE,
                    {"field": "s", "type": "status", "datatype": "VARCHAR", "length": 9},
                    {"field": "t", "type": "status", "datatype": "VARCHAR", "length": 9},
                )
            ),
            "Only one system field",
        ),
    ],
)
def test_a_plan_that_cannot_be_carried_out_is_refused_before_it_starts(desired, named):
    current = parse(document())
    wanted = parse(desired)
    with pytest.raises(errors.DirectusError) as raised:
        check(current, wanted, "sqlite", {"directus_users", "directus_fields"})
    assert named in raised.value.message


def test_a_primary_key_is_never_changed_by_a_snapshot():
    current = parse(document(collection("a", TITLE)))
    for changed in ({**ID, "datatype": "BIGINT"}, {**ID, "field": "key"}):
        wanted = parse(document({"collection": "a", "fields": [changed, TITLE]}))
        with pytest.raises(errors.InvalidRequest, match="primary key"):
            check(current, wanted, "postgresql", set())
