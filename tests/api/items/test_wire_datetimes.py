"""Datetimes read as the API's text straight from PostgreSQL's output come out exactly as those
parsed into datetimes and formatted (every engine answers the same); types with their own format,
keys and rows that computed fields or rules read keep real datetimes."""

import pytest
from django.db import connections

from apps.items import reader as reader_module
from apps.projects.backends.postgresql import base as postgresql
from apps.schema import services
from apps.schema.cache import project_schema
from tests.blog import ID, admin_identity

FIELDS = [
    ID,
    {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
    {"field": "happened_at", "type": "datetime", "datatype": "DATETIME"},
    {"field": "stamped", "type": "datetime", "datatype": "TIMESTAMP"},
    {"field": "created_on", "type": "datetime_created", "datatype": "DATETIME"},
    {"field": "modified_on", "type": "datetime_updated", "datatype": "DATETIME"},
]
STORED = [
    ("2024-01-02 03:04:05", "2024-01-02 03:04:05"),
    ("2024-01-02 03:04:05.678901", "2024-01-02 03:04:05"),  # fractions are cut, not rounded
    ("0999-12-31 23:59:59", "0999-12-31 23:59:59"),
    (None, None),
]


@pytest.fixture
def events(blog, schema_admin_api, schema_url):
    services.create_collection({"collection": "events", "fields": FIELDS}, admin_identity())
    ids = []
    for index, (stored, _sent) in enumerate(STORED):
        body = {"title": f"Event {index}", "happened_at": stored, "stamped": stored}
        response = schema_admin_api.post(schema_url("items/events"), body, format="json")
        assert response.status_code == 200, response.content
        ids.append(response.json()["data"]["id"])
    return ids


@pytest.fixture
def loads(monkeypatch):
    """How many values the PostgreSQL wire loader gave."""
    seen = []
    original = postgresql.WireTimestamptzLoader.load

    def counting(self, data):
        seen.append(bytes(data))
        return original(self, data)

    monkeypatch.setattr(postgresql.WireTimestamptzLoader, "load", counting)
    return seen


def read(api, url):
    listed = api.get(url("items/events"), {"sort": "id", "fields": "id,title,happened_at,stamped"})
    one = api.get(url("items/events/1"))
    full = api.get(url("items/events"), {"sort": "id"})
    assert listed.status_code == one.status_code == full.status_code == 200
    return listed.json()["data"], one.json()["data"], full.json()["data"]


def test_same_answers_as_parsed_datetimes(events, schema_admin_api, schema_url, loads, monkeypatch, engine):
    as_text = read(schema_admin_api, schema_url)
    listed, one, full = as_text
    assert [(item["happened_at"], item["stamped"]) for item in listed] == [(sent, sent) for _, sent in STORED]
    assert one["happened_at"] == "2024-01-02 03:04:05"
    # datetime_created / datetime_updated keep their ISO form with the zone.
    assert "T" in full[0]["created_on"] and full[0]["created_on"].endswith("+00:00")
    if engine == "postgres":
        assert loads  # the plain columns came as text
        assert all(len(value) >= 19 for value in loads)

    loads.clear()
    monkeypatch.setattr(reader_module.ItemReader, "_datetimes_as_text", lambda *args: False)
    project_schema()._config.clear()
    assert read(schema_admin_api, schema_url) == as_text
    assert not loads


def test_levels_with_own_formats_keep_datetimes(events, schema_admin_api, schema_url, loads):
    response = schema_admin_api.get(schema_url("items/events"), {"fields": "id,created_on,happened_at"})
    assert response.status_code == 200
    assert not loads  # created_on wants a datetime: the whole level is read as datetimes
    assert response.json()["data"][0]["happened_at"] == "2024-01-02 03:04:05"


@pytest.mark.engines("postgres")
def test_loader_cuts_utc_text_and_parses_anything_else(schema_project):
    connection = connections[project_schema().alias]
    connection.ensure_connection()
    loader = postgresql.WireTimestamptzLoader(postgresql.TIMESTAMPTZ_OID, connection.connection)
    assert loader.load(b"2024-01-02 03:04:05+00") == "2024-01-02 03:04:05"
    assert loader.load(memoryview(b"2024-01-02 03:04:05.5+00")) == "2024-01-02 03:04:05"
    assert loader.load(b"2024-01-02 05:04:05+02") == "2024-01-02 03:04:05"  # another session zone
    assert loader.load(b"2024-01-02 03:04:05.25-01:30") == "2024-01-02 04:34:05"
