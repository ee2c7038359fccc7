"""A schema change that fails halfway leaves the tables, their data and the metadata exactly as they
were, on every engine, and the next request sees the schema as it really is.

SQLite and PostgreSQL roll DDL back with the transaction; MariaDB commits every DDL statement, so
there `SchemaChange` undoes the steps that ran, in reverse order. Failures are injected at chosen
steps of a change (a metadata write, the n-th DDL step, the destructive drop) and the test then
compares the whole project database with a snapshot taken before the request."""

import pytest
from django.db import DatabaseError, connections

from apps.permissions.models import Permission
from apps.presets.models import CollectionPreset
from apps.schema import cache, introspect
from apps.schema.ddl import SchemaChange
from apps.schema.models import Collection, Field, Relation
from tests.helpers import error_of

METADATA_MODELS = (Collection, Field, Relation, Permission, CollectionPreset)


class InjectedFailure(DatabaseError):
    """What the tests raise inside a schema change (a database error, as a real failure is)."""


# The project as a whole ----------------------------------------------------------------------


def snapshot(project) -> dict:
    """Every table with its columns, the rows of the user tables, and the metadata rows."""
    alias = project.alias
    connection = connections[alias]
    live = introspect.columns(alias)
    rows = {}
    with connection.cursor() as cursor:
        for table in live:
            if table.startswith("directus_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            rows[table] = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor]
    metadata = {
        model._meta.db_table: list(model.objects.using(alias).order_by("pk").values()) for model in METADATA_MODELS
    }
    return {"tables": sorted(live), "columns": live, "rows": rows, "metadata": metadata}


def assert_unchanged(project, before: dict) -> None:
    after = snapshot(project)
    assert after["tables"] == before["tables"]
    for table, columns in before["columns"].items():
        assert after["columns"][table] == columns, table
    assert after["rows"] == before["rows"]
    for table, rows in before["metadata"].items():
        assert after["metadata"][table] == rows, table


def assert_api_matches_live_table(api, url, project, collection: str) -> None:
    """GET /fields/<collection> answers from a schema that matches the live table."""
    response = api.get(url(f"fields/{collection}"))
    assert response.status_code == 200, response.content
    fields = {f["field"]: f for f in response.json()["data"]}
    live = introspect.columns(project.alias, [collection])[collection]
    columns = {f: data for f, data in fields.items() if data["datatype"] is not None}
    assert list(columns) == [column.name for column in live]
    for column in live:
        assert columns[column.name]["datatype"] == column.datatype
        assert columns[column.name]["length"] == column.length
    stored = set(Field.objects.using(project.alias).filter(collection=collection).values_list("field", flat=True))
    assert {name for name, data in fields.items() if data["id"] is not None} == stored


# Failure injection ---------------------------------------------------------------------------


def fail_at(monkeypatch, step: str, call: int, *, after_running: bool = False) -> dict:
    """Make the `call`-th `SchemaChange.<step>` (1-based) of the next change fail.

    With `after_running`, the step does its work first and then fails (inside the step's own
    transaction for metadata writes, so the write itself is rolled back as a real failure would).
    Returns a counter of the calls seen, to check the failure was really reached (with
    `call=0` nothing fails and the counter only counts)."""
    original = getattr(SchemaChange, step)
    seen = {"calls": 0, "failed": False}

    def patched(self, do, *args, **kwargs):
        seen["calls"] += 1
        if seen["calls"] != call:
            return original(self, do, *args, **kwargs)
        seen["failed"] = True

        def failing(*step_args):
            if after_running:
                do(*step_args)
            raise InjectedFailure(f"injected failure at {step} #{call}")

        return original(self, failing, *args, **kwargs)

    monkeypatch.setattr(SchemaChange, step, patched)
    return seen


def fail_editor(monkeypatch, project, method: str) -> dict:
    """Make the project's schema editor fail whenever it runs `method` (e.g. a DROP)."""
    editor_class = connections[project.alias].SchemaEditorClass
    seen = {"failed": False}

    def failing(self, *args, **kwargs):
        seen["failed"] = True
        raise InjectedFailure(f"injected failure in {method}")

    monkeypatch.setattr(editor_class, method, failing)
    return seen


# Collections and data used by the scenarios --------------------------------------------------


def simple(*more: dict) -> list[dict]:
    return [
        {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
        {"field": "name", "type": "string", "datatype": "VARCHAR", "length": 100, "note": "The name"},
        {"field": "rating", "type": "integer", "datatype": "INT", "signed": True},
        *more,
    ]


def make_collection(api, url, project, name: str, *more: dict, rows: int = 3) -> None:
    response = api.post(url("collections"), {"collection": name, "fields": simple(*more)}, format="json")
    assert response.status_code == 200, response.content
    connection = connections[project.alias]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for number in range(1, rows + 1):
            cursor.execute(
                f"INSERT INTO {quote(name)} ({quote('id')}, {quote('name')}, {quote('rating')}) VALUES (%s, %s, %s)",
                [number, f"row {number}", -number],
            )


def failed(response) -> None:
    assert error_of(response) == (500, 0), response.content


# Creating collections --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "call"),
    [
        ("write", 1),  # the directus_collections row, right after CREATE TABLE
        ("write", 3),  # the second directus_fields row: earlier rows must go too
        ("write", 4),  # the last directus_fields row
    ],
)
def test_creating_a_collection_fails_after_create_table(
    schema_admin_api, schema_url, schema_project, monkeypatch, step, call
):
    api, url = schema_admin_api, schema_url
    make_collection(api, url, schema_project, "bystander")
    api.get(url("fields/bystander"))  # warm the cache
    before = snapshot(schema_project)

    seen = fail_at(monkeypatch, step, call, after_running=True)
    failed(api.post(url("collections"), {"collection": "doomed", "fields": simple()}, format="json"))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    assert error_of(api.get(url("collections/doomed"))) == (404, 200)
    assert error_of(api.get(url("fields/doomed"))) == (404, 200)
    # Nothing is left behind that would make the next attempt a duplicate.
    response = api.post(url("collections"), {"collection": "doomed", "fields": simple()}, format="json")
    assert response.status_code == 200, response.content
    assert_api_matches_live_table(api, url, schema_project, "doomed")


def test_creating_a_collection_fails_at_the_create_table(schema_admin_api, schema_url, schema_project, monkeypatch):
    api, url = schema_admin_api, schema_url
    before = snapshot(schema_project)
    seen = fail_at(monkeypatch, "ddl", 1)
    failed(api.post(url("collections"), {"collection": "doomed", "fields": simple()}, format="json"))
    assert seen["failed"]
    monkeypatch.undo()
    assert_unchanged(schema_project, before)
    assert error_of(api.get(url("collections/doomed"))) == (404, 200)


def test_managing_an_unmanaged_table_fails_halfway(schema_admin_api, schema_url, schema_project, monkeypatch):
    """An existing table with a `managed: false` row: its new column, its metadata row and the
    new field rows are all undone, and the unmanaged row comes back as it was."""
    api, url = schema_admin_api, schema_url
    alias = schema_project.alias
    connection = connections[alias]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {quote('legacy')} ({quote('id')} INT PRIMARY KEY, {quote('label')} VARCHAR(50))")
        cursor.execute(f"INSERT INTO {quote('legacy')} VALUES (1, 'one'), (2, 'two')")
    Collection.objects.using(alias).create(collection="legacy", managed=False, note="Kept as it is")
    cache.bump(alias, {"legacy"})  # made behind the API's back: tell the workers
    api.get(url("fields/legacy"))
    before = snapshot(schema_project)

    seen = fail_at(monkeypatch, "write", 2, after_running=True)  # the field row, after the collection row
    extra = [{"field": "extra", "type": "string", "datatype": "VARCHAR", "length": 20}]
    failed(api.post(url("collections"), {"collection": "legacy", "fields": extra}, format="json"))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    assert_api_matches_live_table(api, url, schema_project, "legacy")
    assert api.get(url("collections/legacy")).json()["data"]["managed"] is False


# Deleting collections --------------------------------------------------------------------------


def _collection_with_everything(api, url, project, name: str) -> None:
    """A collection with rows and every kind of metadata a drop deletes."""
    make_collection(api, url, project, name, {"field": "owner_ref", "type": "m2o", "datatype": "INT"})
    alias = project.alias
    Permission.objects.using(alias).create(collection=name, role=1, read="full")
    Relation.objects.using(alias).create(collection_many=name, field_many="owner_ref", collection_one="directus_users")
    CollectionPreset.objects.using(alias).create(collection=name, title="Mine", view_query={"tabular": {"sort": "id"}})


def test_deleting_a_collection_fails_at_the_last_metadata_delete(
    schema_admin_api, schema_url, schema_project, monkeypatch
):
    api, url = schema_admin_api, schema_url
    _collection_with_everything(api, url, schema_project, "precious")
    api.get(url("fields/precious"))
    before = snapshot(schema_project)

    # Permissions, fields, relations, the collection row, then presets: the fifth write is the last.
    seen = fail_at(monkeypatch, "write", 5, after_running=True)
    failed(api.delete(url("collections/precious")))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    assert_api_matches_live_table(api, url, schema_project, "precious")
    # And the collection can still be dropped for real, in five metadata writes (so the fifth,
    # which failed above, is the last).
    spy = fail_at(monkeypatch, "write", 0)
    assert api.delete(url("collections/precious")).status_code == 204
    assert spy["calls"] == 5
    monkeypatch.undo()
    assert "precious" not in introspect.table_names(schema_project.alias)
    assert error_of(api.get(url("fields/precious"))) == (404, 200)


def test_deleting_a_collection_fails_at_the_drop(schema_admin_api, schema_url, schema_project, monkeypatch):
    """The DROP TABLE fails: inside the transaction on SQLite/PostgreSQL, and as the deferred
    destructive step (after every metadata delete) on MariaDB."""
    api, url = schema_admin_api, schema_url
    _collection_with_everything(api, url, schema_project, "precious")
    api.get(url("fields/precious"))
    before = snapshot(schema_project)

    seen = fail_editor(monkeypatch, schema_project, "delete_model")
    failed(api.delete(url("collections/precious")))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    assert_api_matches_live_table(api, url, schema_project, "precious")


@pytest.mark.engines("mariadb")
def test_a_failing_deferred_drop_is_reported_and_undone(schema_admin_api, schema_url, schema_project, monkeypatch):
    """MariaDB: the table was renamed aside and the metadata deleted; the final DROP fails. The
    request must fail (not answer 204) and everything must be back."""
    api, url = schema_admin_api, schema_url
    _collection_with_everything(api, url, schema_project, "precious")
    before = snapshot(schema_project)
    seen = fail_at(monkeypatch, "finally_ddl", 1)
    failed(api.delete(url("collections/precious")))
    assert seen["failed"]
    monkeypatch.undo()
    assert_unchanged(schema_project, before)
    assert_api_matches_live_table(api, url, schema_project, "precious")


# Fields ----------------------------------------------------------------------------------------


def test_adding_a_field_fails_after_the_column_was_added(schema_admin_api, schema_url, schema_project, monkeypatch):
    api, url = schema_admin_api, schema_url
    make_collection(api, url, schema_project, "notes")
    api.get(url("fields/notes"))
    before = snapshot(schema_project)

    seen = fail_at(monkeypatch, "write", 1, after_running=True)
    definition = {"field": "extra", "type": "string", "datatype": "VARCHAR", "length": 30, "default_value": "x"}
    failed(api.post(url("fields/notes"), definition, format="json"))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    assert_api_matches_live_table(api, url, schema_project, "notes")
    assert error_of(api.get(url("fields/notes/extra"))) == (404, 202)
    response = api.post(url("fields/notes"), definition, format="json")
    assert response.status_code == 200, response.content
    assert_api_matches_live_table(api, url, schema_project, "notes")


@pytest.mark.parametrize(
    ("step", "call", "after_running"),
    [
        ("ddl", 2, False),  # the second ALTER fails; the first must be undone
        ("write", 1, True),  # both ALTERs ran; the first metadata update fails
        ("write", 2, True),  # both ALTERs and the first metadata update ran
    ],
)
def test_a_multi_field_patch_fails_halfway(
    schema_admin_api, schema_url, schema_project, monkeypatch, step, call, after_running
):
    api, url = schema_admin_api, schema_url
    make_collection(api, url, schema_project, "notes")
    api.get(url("fields/notes"))
    before = snapshot(schema_project)

    seen = fail_at(monkeypatch, step, call, after_running=after_running)
    changes = [
        {"field": "name", "length": 250, "note": "Longer"},
        {"field": "rating", "datatype": "BIGINT", "note": "Bigger"},
    ]
    failed(api.patch(url("fields/notes"), changes, format="json"))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    assert_api_matches_live_table(api, url, schema_project, "notes")
    # The same change goes through once nothing fails.
    response = api.patch(url("fields/notes"), changes, format="json")
    assert response.status_code == 200, response.content
    live = {c.name: c for c in introspect.columns(schema_project.alias, ["notes"])["notes"]}
    assert live["name"].length == 250 and live["rating"].datatype == "BIGINT"
    assert_api_matches_live_table(api, url, schema_project, "notes")


def test_turning_a_field_into_an_alias_fails_after_the_column_went(
    schema_admin_api, schema_url, schema_project, monkeypatch
):
    """The column (with its data) is dropped, or renamed aside on MariaDB; the metadata update
    then fails. The column and its values must be back."""
    api, url = schema_admin_api, schema_url
    make_collection(api, url, schema_project, "notes")
    api.get(url("fields/notes"))
    before = snapshot(schema_project)

    seen = fail_at(monkeypatch, "write", 1, after_running=True)
    failed(api.patch(url("fields/notes/rating"), {"type": "alias"}, format="json"))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    assert_api_matches_live_table(api, url, schema_project, "notes")


@pytest.mark.parametrize("failure", ["metadata", "drop"])
def test_deleting_a_field_fails(schema_admin_api, schema_url, schema_project, monkeypatch, failure):
    api, url = schema_admin_api, schema_url
    status = {"field": "status", "type": "status", "datatype": "VARCHAR", "length": 20}
    make_collection(api, url, schema_project, "notes", status)
    Permission.objects.using(schema_project.alias).create(collection="notes", role=1, status="draft", read="full")
    api.get(url("fields/notes"))
    before = snapshot(schema_project)

    if failure == "metadata":
        # The field row is deleted, then deleting the status-scoped permissions fails.
        seen = fail_at(monkeypatch, "write", 2, after_running=True)
    else:
        seen = fail_editor(monkeypatch, schema_project, "remove_field")
    failed(api.delete(url("fields/notes/status")))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    assert_api_matches_live_table(api, url, schema_project, "notes")
    assert api.delete(url("fields/notes/status")).status_code == 204
    assert_api_matches_live_table(api, url, schema_project, "notes")


def test_dropping_a_junction_fails_at_the_deferred_drop(schema_admin_api, schema_url, schema_project, monkeypatch):
    """Deleting an M2M alias with ?delete_junction=1: the junction DROP is the deferred destructive
    step on every engine. When it fails, the relation rows and junction metadata come back."""
    api, url = schema_admin_api, schema_url
    make_collection(api, url, schema_project, "articles", {"field": "tags", "type": "o2m"})
    make_collection(api, url, schema_project, "tags")
    junction = [
        {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
        {"field": "article", "type": "integer", "datatype": "INT"},
        {"field": "tag", "type": "integer", "datatype": "INT"},
    ]
    assert api.post(url("collections"), {"collection": "articles_tags", "fields": junction}, format="json").status_code
    relations = [
        {
            "collection_many": "articles_tags",
            "field_many": "article",
            "collection_one": "articles",
            "field_one": "tags",
            "junction_field": "tag",
        },
        {
            "collection_many": "articles_tags",
            "field_many": "tag",
            "collection_one": "tags",
            "junction_field": "article",
        },
    ]
    assert api.post(url("relations"), relations, format="json").status_code == 200
    connection = connections[schema_project.alias]
    with connection.cursor() as cursor:
        table = connection.ops.quote_name("articles_tags")
        cursor.execute(f"INSERT INTO {table} VALUES (1, 1, 2), (2, 2, 1)")
    api.get(url("fields/articles"))
    before = snapshot(schema_project)

    seen = fail_at(monkeypatch, "finally_ddl", 1)
    failed(api.delete(url("fields/articles/tags?delete_junction=1")))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    assert_api_matches_live_table(api, url, schema_project, "articles")
    assert api.get(url("fields/articles/tags")).json()["data"]["type"] == "o2m"
    assert api.get(url("collections/articles_tags")).status_code == 200


# Collection metadata and relations -------------------------------------------------------------


def test_updating_a_collection_with_fields_fails_at_its_own_row(
    schema_admin_api, schema_url, schema_project, monkeypatch
):
    api, url = schema_admin_api, schema_url
    make_collection(api, url, schema_project, "notes")
    api.get(url("fields/notes"))
    before = snapshot(schema_project)

    # Add one column, alter another, write both field rows; the collection row update fails.
    seen = fail_at(monkeypatch, "write", 3, after_running=True)
    body = {
        "note": "Changed",
        "icon": "star",
        "fields": [
            {"field": "extra", "type": "integer", "datatype": "INT"},
            {"field": "name", "length": 120},
        ],
    }
    failed(api.patch(url("collections/notes"), body, format="json"))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    assert_api_matches_live_table(api, url, schema_project, "notes")
    assert api.get(url("collections/notes")).json()["data"]["note"] is None
    # Without the failure, both column changes land (each DDL step sees the ones before it).
    response = api.patch(url("collections/notes"), body, format="json")
    assert response.status_code == 200, response.content
    live = {c.name: c for c in introspect.columns(schema_project.alias, ["notes"])["notes"]}
    assert "extra" in live and live["name"].length == 120
    assert api.get(url("collections/notes")).json()["data"]["note"] == "Changed"
    assert_api_matches_live_table(api, url, schema_project, "notes")


def test_a_relation_batch_fails_at_its_second_row(schema_admin_api, schema_url, schema_project, monkeypatch):
    api, url = schema_admin_api, schema_url
    make_collection(api, url, schema_project, "notes", {"field": "author", "type": "m2o", "datatype": "INT"})
    before = snapshot(schema_project)

    seen = fail_at(monkeypatch, "write", 2, after_running=True)
    batch = [
        {"collection_many": "notes", "field_many": "author", "collection_one": "directus_users"},
        {"collection_many": "notes", "field_many": "rating", "collection_one": "directus_files"},
    ]
    failed(api.post(url("relations"), batch, format="json"))
    assert seen["failed"]
    monkeypatch.undo()

    assert_unchanged(schema_project, before)
    field = api.get(url("fields/notes/author")).json()["data"]
    assert field["type"] == "m2o"
    from apps.schema.cache import project_schema

    assert project_schema().collection("notes").fields["author"].relation is None
