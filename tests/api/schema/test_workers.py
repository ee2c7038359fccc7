"""Two real gunicorn servers on one project: a schema change made through one is seen by the other
as soon as the project's news reaches it (apps.projects.news; the version counters in the project
database say what changed).

Each server is its own process with its own schema cache, both warmed before the change. The
project is made with `manage.py migrate` + `manage.py createproject` in a temporary data directory
that both servers share (control database and, for SQLite, the project file). The `engine`
parameter comes from the conftest's engine matrix, which skips an unreachable server with its
reason (and fails the run under CI=true)."""

from tests.helpers import envelope_code
from tests.live import Server, two_servers, wait_for

# How long the news of a change may take to reach the other server (a bound on a hang).
NEWS_SECONDS = 20


def eventually(server: Server, path: str, check) -> tuple[int, dict | None]:
    """The server's answer to GET `path` once `check(status, body)` holds."""
    answer = []

    def seen() -> bool:
        answer[:] = server.call("GET", path)
        return check(*answer)

    wait_for(seen, f"{server.name} answering {path} as expected", NEWS_SECONDS)
    return answer[0], answer[1]


def test_a_schema_change_through_one_server_is_seen_by_the_other(engine):
    with two_servers(engine, "workers") as served:
        key, a, b = served.key, served.a, served.b
        servers = [a, b]
        assert a.base != b.base

        # Warm both caches; B also learns that "shared_notes" does not exist yet.
        for server in servers:
            status, body = server.call("GET", f"/{key}/fields/directus_users")
            assert status == 200, (server.name, body)
        status, body = b.call("GET", f"/{key}/fields/shared_notes")
        assert (status, envelope_code(body)) == (404, 200)

        # Created through A: B sees it on its next request.
        fields = [
            {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
            {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
        ]
        status, body = a.call("POST", f"/{key}/collections", {"collection": "shared_notes", "fields": fields})
        assert status == 200, body
        status, body = eventually(b, f"/{key}/fields/shared_notes", lambda status, body: status == 200)
        assert [f["field"] for f in body["data"]] == ["id", "title"]

        # A field added through B: A sees it.
        status, body = b.call(
            "POST", f"/{key}/fields/shared_notes", {"field": "rating", "type": "integer", "datatype": "INT"}
        )
        assert status == 200, body
        status, body = eventually(
            a, f"/{key}/fields/shared_notes", lambda status, body: status == 200 and len(body["data"]) == 3
        )
        assert [f["field"] for f in body["data"]] == ["id", "title", "rating"]

        # A column altered through A: B reports the new length.
        status, body = a.call("PATCH", f"/{key}/fields/shared_notes/title", {"length": 200})
        assert status == 200, body
        status, body = eventually(
            b, f"/{key}/fields/shared_notes/title", lambda status, body: body["data"]["length"] == 200
        )

        # Read through B often enough for its connection to prepare the statement (PostgreSQL);
        # a column type changed through A must not break B's next read.
        status, body = a.call("POST", f"/{key}/items/shared_notes", {"title": "One", "rating": 3})
        assert status == 200, body
        for _ in range(8):
            status, body = b.call("GET", f"/{key}/items/shared_notes")
            assert status == 200, body
        status, body = a.call("PATCH", f"/{key}/fields/shared_notes/rating", {"datatype": "BIGINT"})
        assert status == 200, body
        status, body = eventually(
            b, f"/{key}/fields/shared_notes/rating", lambda status, body: body["data"]["datatype"] == "BIGINT"
        )
        status, body = b.call("GET", f"/{key}/items/shared_notes")
        assert status == 200 and body["data"] == [{"id": 1, "title": "One", "rating": 3}], body

        # Dropped through A: B answers 404 code 200.
        status, body = a.call("DELETE", f"/{key}/collections/shared_notes")
        assert status == 204, body
        eventually(b, f"/{key}/fields/shared_notes", lambda status, body: (status, envelope_code(body)) == (404, 200))
        status, body = b.call("GET", f"/{key}/collections/shared_notes")
        assert (status, envelope_code(body)) == (404, 200), body


def test_a_collection_dropped_and_made_again_between_two_checks_is_rebuilt(
    schema_admin_api, schema_url, schema_project
):
    """In one process: a second schema cache (another worker) that checks only now and then.
    A collection dropped and created again between two of its checks must not be mistaken for
    the old one, and the version table keeps no rows for collections that are gone."""
    from apps.schema.cache import ProjectSchema
    from apps.schema.models import SchemaVersion

    api, url = schema_admin_api, schema_url
    other = ProjectSchema(schema_project)
    other.refresh()

    def create(extra: str):
        fields = [
            {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
            {"field": extra, "type": "string", "datatype": "VARCHAR", "length": 20},
        ]
        response = api.post(url("collections"), {"collection": "again", "fields": fields}, format="json")
        assert response.status_code == 200, response.content

    create("first")
    other.refresh()
    assert list(other.collection("again").fields) == ["id", "first"]
    assert {f.column for f in other.model("again")._meta.local_fields} == {"id", "first"}

    assert api.delete(url("collections/again")).status_code == 204
    create("second")
    other.refresh()
    assert list(other.collection("again").fields) == ["id", "second"]
    assert {f.column for f in other.model("again")._meta.local_fields} == {"id", "second"}

    assert api.delete(url("collections/again")).status_code == 204
    versions = SchemaVersion.objects.using(schema_project.alias)
    assert not versions.filter(collection="again").exists()
    other.refresh()
    assert other.collection("again") is None and other.model("again") is None
    # Unknown names are not remembered.
    assert other.model("never_there") is None and "never_there" not in other._models


def test_a_table_made_outside_the_api_and_dropped_is_forgotten_by_other_workers(
    schema_admin_api, schema_url, schema_project
):
    """A table made by hand has no version counter; once it is dropped through the API, a worker
    that described it must not keep serving it (its next read would fail on the missing table)."""
    from django.db import connections

    from apps.schema.cache import ProjectSchema

    connection = connections[schema_project.alias]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {connection.ops.quote_name('by_hand')} (id INT PRIMARY KEY, label TEXT)")
    other = ProjectSchema(schema_project)
    other.refresh()
    assert other.collection("by_hand") is not None and other.collection("by_hand").table_exists

    response = schema_admin_api.delete(schema_url("collections/by_hand"))
    assert response.status_code == 204, response.content
    other.refresh()
    assert other.collection("by_hand") is None or not other.collection("by_hand").table_exists
