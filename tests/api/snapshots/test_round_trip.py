"""A snapshot applied to an empty project gives the same snapshot there, on every engine and
from one engine to another; applied again it changes nothing. Every datatype the fields API
takes reads back, on every engine, in the form the snapshot gives it."""

import pytest
from django.db import connections

from apps.projects.context import using_project
from apps.schema import services
from apps.schema.cache import project_schema
from apps.snapshots.apply import OPERATOR, apply_snapshot
from apps.snapshots.canonical import as_reported, definition_form
from apps.snapshots.snapshot import current_state, take_snapshot
from tests.blog import ID, admin_identity, build_blog_schema
from tests.conftest import drop_project, make_project
from tests.engines import unavailable_reason

# One field of every datatype, under the Directus types that change the column (boolean,
# json, array), with defaults, keys and the length rules.
EVERY_DATATYPE = [
    ID,
    {"field": "s_varchar", "type": "string", "datatype": "VARCHAR", "length": 120, "default_value": "x y"},
    {"field": "s_char", "type": "string", "datatype": "CHAR", "length": 10},
    {"field": "s_text", "type": "string", "datatype": "TEXT"},
    {"field": "s_tinytext", "type": "string", "datatype": "TINYTEXT"},
    {"field": "s_mediumtext", "type": "string", "datatype": "MEDIUMTEXT"},
    {"field": "s_longtext", "type": "string", "datatype": "LONGTEXT"},
    {"field": "b_tinyint", "type": "boolean", "datatype": "TINYINT", "length": 1, "default_value": False},
    {"field": "b_boolean", "type": "boolean", "datatype": "BOOLEAN", "default_value": True},
    {"field": "b_integer", "type": "integer", "datatype": "BOOLEAN"},
    {"field": "i_tinyint", "type": "integer", "datatype": "TINYINT", "signed": True},
    {"field": "i_smallint", "type": "integer", "datatype": "SMALLINT", "default_value": 3},
    {"field": "i_mediumint", "type": "integer", "datatype": "MEDIUMINT"},
    {"field": "i_int", "type": "integer", "datatype": "INT", "signed": True, "default_value": -2},
    {"field": "i_integer", "type": "integer", "datatype": "INTEGER", "length": 11},
    {"field": "i_bigint", "type": "integer", "datatype": "BIGINT"},
    {"field": "f_float", "type": "decimal", "datatype": "FLOAT"},
    {"field": "f_double", "type": "decimal", "datatype": "DOUBLE", "default_value": 1.5},
    {"field": "f_real", "type": "decimal", "datatype": "REAL"},
    {"field": "d_decimal", "type": "decimal", "datatype": "DECIMAL", "length": "10,2", "default_value": "1.50"},
    {"field": "d_numeric", "type": "decimal", "datatype": "NUMERIC", "length": "8,3"},
    {"field": "bin_blob", "type": "binary", "datatype": "BLOB"},
    {"field": "bin_varbinary", "type": "binary", "datatype": "VARBINARY", "length": 16},
    {"field": "bin_binary", "type": "binary", "datatype": "BINARY"},
    {"field": "dt_date", "type": "date", "datatype": "DATE", "default_value": "2020-01-02"},
    {"field": "dt_datetime", "type": "datetime", "datatype": "DATETIME"},
    {"field": "dt_timestamp", "type": "datetime", "datatype": "TIMESTAMP"},
    {"field": "dt_time", "type": "time", "datatype": "TIME", "default_value": "03:04:05"},
    {"field": "j_json", "type": "json", "datatype": "JSON"},
    {"field": "j_text", "type": "json", "datatype": "TEXT"},
    {"field": "a_array", "type": "array", "datatype": "VARCHAR", "length": 255},
    {"field": "e_enum", "type": "string", "datatype": "ENUM", "length": ["a", "b"]},
    {"field": "u_unique", "type": "string", "datatype": "VARCHAR", "length": 50, "unique": True},
    {"field": "r_required", "type": "string", "datatype": "VARCHAR", "length": 50, "required": True},
    {"field": "m_m2o", "type": "m2o", "datatype": "INT"},
    {"field": "m_file", "type": "file", "datatype": "INT", "signed": True},
    {"field": "o_o2m", "type": "o2m", "interface": "one-to-many", "options": {"fields": ["id"]}},
    {"field": "details", "type": "group", "sort": 1},
    {"field": "g_grouped", "type": "string", "datatype": "VARCHAR", "length": 20, "sort": 2, "width": "half"},
]


def build_source() -> None:
    """The blog plus a collection of every datatype, with a field in a group and metadata."""
    build_blog_schema()
    admin = admin_identity()
    services.create_collection(
        {"collection": "every_type", "icon": "star", "note": "All of them", "fields": EVERY_DATATYPE}, admin
    )
    group_id = project_schema().collection("every_type").fields["details"].meta["id"]
    services.update_fields("every_type", [{"field": "g_grouped", "group": group_id}], admin)


def without_engine(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "engine"}


def test_every_datatype_reads_back_in_the_form_its_snapshot_gives_it(schema_project):
    services.create_collection({"collection": "every_type", "fields": EVERY_DATATYPE}, admin_identity())
    vendor = connections[schema_project.alias].vendor
    fields = current_state().collections["every_type"]["fields"]
    for sent in EVERY_DATATYPE:
        assert fields[sent["field"]] == as_reported(definition_form(sent), vendor), sent


def test_a_snapshot_applied_to_an_empty_project_is_taken_back_unchanged(schema_project, target):
    build_source()
    source = take_snapshot()
    with using_project(target):
        changes = apply_snapshot(source, OPERATOR)
        taken = take_snapshot()
        again = apply_snapshot(source, OPERATOR)
    assert [change.line() for change in changes][:6] == [
        "+ collection articles (10 fields)",
        "+ collection articles_tags (3 fields)",
        "+ collection authors (4 fields)",
        "+ collection comments (3 fields)",
        "+ collection every_type (39 fields)",
        "+ collection tags (2 fields)",
    ]
    assert taken == source
    assert again == []
    grouped = next(f for c in taken["collections"] for f in c["fields"] if f["field"] == "g_grouped")
    assert grouped["group"] == "details"


@pytest.mark.engines("sqlite")
@pytest.mark.parametrize("other", ["postgres", "mariadb"])
def test_a_snapshot_taken_on_sqlite_applies_to_another_engine_and_back(
    schema_project, target, other, django_db_blocker
):
    if reason := unavailable_reason(other):
        pytest.skip(f"SKIPPED ENGINE: {reason}")
    build_source()
    source = take_snapshot()
    with django_db_blocker.unblock():
        elsewhere = make_project(other, "snapx")
    try:
        with using_project(elsewhere):
            apply_snapshot(source, OPERATOR)
            taken = take_snapshot()
            assert apply_snapshot(source, OPERATOR) == []
    finally:
        with django_db_blocker.unblock():
            drop_project(elsewhere)
    assert taken["engine"] == {"postgres": "postgresql", "mariadb": "mariadb"}[other]
    assert without_engine(taken) == without_engine(source)
    with using_project(target):
        apply_snapshot(taken, OPERATOR)
        assert take_snapshot() == source
