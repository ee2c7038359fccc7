"""A created item's revision holds the row as stored, whether the INSERT returned it (PostgreSQL,
MariaDB) or it was read back (SQLite, or engines without INSERT ... RETURNING); the audit rows
keep their keys either way."""

import json

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.activity.models import Activity
from apps.items import services as items
from apps.revisions.models import Revision
from apps.schema import services
from apps.schema.cache import project_schema
from tests.blog import ID, admin_identity

TYPED_FIELDS = [
    ID,
    {"field": "status", "type": "status", "datatype": "VARCHAR", "length": 20, "default_value": "draft"},
    {"field": "owner", "type": "owner", "datatype": "INT"},
    {"field": "modified_by", "type": "user_updated", "datatype": "INT"},
    {"field": "created_on", "type": "datetime_created", "datatype": "DATETIME"},
    {"field": "modified_on", "type": "datetime_updated", "datatype": "DATETIME"},
    {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 200},
    {"field": "amount", "type": "integer", "datatype": "INT", "signed": True, "default_value": 7},
    {"field": "big", "type": "integer", "datatype": "BIGINT", "signed": True},
    {"field": "price", "type": "decimal", "datatype": "DECIMAL", "length": "10,2"},
    {"field": "ratio", "type": "decimal", "datatype": "FLOAT"},
    {"field": "active", "type": "boolean", "datatype": "TINYINT", "length": 1, "default_value": False},
    {"field": "day", "type": "date", "datatype": "DATE"},
    {"field": "at", "type": "time", "datatype": "TIME"},
    {"field": "happened_at", "type": "datetime", "datatype": "DATETIME"},
    {"field": "data", "type": "json", "datatype": "TEXT"},
    {"field": "tags", "type": "array", "datatype": "VARCHAR", "length": 255},
    {"field": "secret", "type": "hash", "datatype": "VARCHAR", "length": 255},
    {"field": "slug", "type": "slug", "datatype": "VARCHAR", "length": 255, "options": {"mirroredField": "title"}},
]
PAYLOAD = {
    "title": "Typed",
    "big": 9007199254740993,
    "price": "3.5",
    "ratio": 2,  # a whole number in a FLOAT column
    "day": "2024-01-02",
    "at": "12:00:01",
    "happened_at": "2024-01-02 03:04:05",
    "data": {"a": [1, 2.5, None]},
    "tags": ["x", "y"],
    "secret": "s3cret",
}
# Different for every row.
PER_ROW = {"id", "created_on", "modified_on"}


@pytest.fixture
def typed(blog):
    services.create_collection({"collection": "typed", "fields": TYPED_FIELDS}, admin_identity())


def create_typed(api, url) -> tuple[str, int]:
    """The created row's revision and the response's item (data, delta and item as JSON text,
    per-row values left out) and how many statements read the collection's table."""
    with CaptureQueriesContext(connections[project_schema().alias]) as captured:
        response = api.post(url("items/typed"), PAYLOAD, format="json")
    assert response.status_code == 200, response.content
    revision = Revision.objects.get(collection="typed", item=str(response.json()["data"]["id"]))
    data = {key: value for key, value in revision.data.items() if key not in PER_ROW}
    delta = {key: value for key, value in revision.delta.items() if key not in PER_ROW}
    item = {key: value for key, value in response.json()["data"].items() if key not in PER_ROW | {"secret"}}
    reads = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and "typed" in query["sql"]
    ]
    # JSON text tells 2 from 2.0.
    return json.dumps({"data": data, "delta": delta, "item": item}, sort_keys=True), len(reads)


def test_the_revision_of_a_created_row_is_the_row_as_stored(typed, schema_admin_api, schema_url, monkeypatch, engine):
    returned, returned_reads = create_typed(schema_admin_api, schema_url)
    monkeypatch.setattr(items, "_RETURNS_STORED_ROW", frozenset())  # every engine reads the row back
    read_back, read_back_reads = create_typed(schema_admin_api, schema_url)
    assert returned == read_back
    assert '"ratio": 2.0' in returned and '"secret"' not in returned and '"amount": 7' in returned
    assert '"item": {' in returned and len(json.loads(returned)["item"]) > 10
    # Where the INSERT returns the row, neither the revision nor the response reads it again.
    assert read_back_reads == 2
    assert returned_reads == (2 if engine == "sqlite" else 0)


# MySQL and MariaDB before 10.5 have no INSERT ... RETURNING (PostgreSQL always has it).
@pytest.mark.engines("sqlite", "mariadb")
def test_audit_rows_keep_their_keys_without_insert_returning(blog, schema_admin_api, schema_url, monkeypatch):
    api, url = schema_admin_api, schema_url
    connection = connections[project_schema().alias]
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    response = api.post(url("items/articles"), {"title": "Plain", "comments": [{"text": "first"}]}, format="json")
    assert response.status_code == 200, response.content
    article = response.json()["data"]
    for collection, title_field, title in (("articles", "title", "Plain"), ("comments", "text", "first")):
        revision = Revision.objects.filter(collection=collection).order_by("-id").first()
        activity = Activity.objects.get(pk=revision.activity)
        assert (activity.action, activity.collection, activity.item) == ("create", collection, revision.item)
        assert revision.data[title_field] == title
    response = api.post(
        url("activity/comment"), {"collection": "articles", "item": article["id"], "comment": "Noted"}, format="json"
    )
    assert response.status_code == 200, response.content
    comment = response.json()["data"]
    assert Activity.objects.get(pk=comment["id"]).comment == "Noted"


def test_rows_of_every_shape_are_recorded_as_stored(typed, schema_admin_api, schema_url):
    # Given or generated key, values given or left to the column defaults: each shape of INSERT,
    # and each again once its statement is kept.
    payloads = [
        {"title": "a", "amount": 1},
        {"title": "b"},
        {"title": "c", "amount": 3, "status": "published"},
        {"id": 500, "title": "d"},
        {"title": "e"},
        {"title": "f", "amount": 6},
    ]
    for payload in payloads:
        response = schema_admin_api.post(schema_url("items/typed"), payload, format="json")
        assert response.status_code == 200, response.content
        item = response.json()["data"]
        revision = Revision.objects.get(collection="typed", item=str(item["id"]))
        expected = {"status": "draft", "amount": 7, **payload, "id": item["id"]}
        assert {key: revision.data[key] for key in expected} == expected
        assert {key: item[key] for key in expected} == expected
    assert Revision.objects.get(collection="typed", data__contains='"title":"e"').item == "501"


def test_each_write_records_its_activity_and_revision(blog, schema_admin_api, schema_url, engine):
    """The activity row and the revision naming it; on PostgreSQL one statement writes both."""
    connection = connections[project_schema().alias]
    body = {"title": "Linked", "comments": [{"text": "first"}]}
    with CaptureQueriesContext(connection) as captured:
        response = schema_admin_api.post(schema_url("items/articles?comment=Why"), body, format="json")
    assert response.status_code == 200, response.content
    article = response.json()["data"]
    writes = [query["sql"] for query in captured.captured_queries if query["sql"].startswith(("INSERT", "WITH"))]
    # The article and its comment, each with an activity row and a revision.
    assert len(writes) == (4 if engine == "postgres" else 6)

    user_id = schema_admin_api.get(schema_url("users/me")).json()["data"]["id"]
    for collection, title_field, title, parent in (
        ("articles", "title", "Linked", (None, None)),
        ("comments", "text", "first", ("articles", str(article["id"]))),
    ):
        revision = Revision.objects.filter(collection=collection).order_by("-id").first()
        activity = Activity.objects.get(pk=revision.activity)
        assert (activity.action, activity.collection, activity.item) == ("create", collection, revision.item)
        assert (activity.action_by, activity.comment) == (user_id, "Why")
        assert revision.data[title_field] == title and revision.delta[title_field] == title
        assert (revision.parent_collection, revision.parent_item) == parent

    # activity_skip=1: neither row.
    before = (Activity.objects.count(), Revision.objects.count())
    response = schema_admin_api.post(schema_url("items/articles?activity_skip=1"), {"title": "Quiet"}, format="json")
    assert response.status_code == 200, response.content
    assert (Activity.objects.count(), Revision.objects.count()) == before
