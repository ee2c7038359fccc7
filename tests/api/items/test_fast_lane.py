"""The item reads of directus/fastlane.py answer exactly as the full Django path does.

Each request goes to the WSGI application twice, once with the lane and once straight to Django,
and the two answers (status, headers, body) must be the same. The lane must have answered the
successful reads itself, and handed everything else (errors, HEAD, maintenance, unknown hosts) to
the full path."""

import base64
import io
import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory, override_settings

import directus.wsgi
from apps.roles.models import PUBLIC_ROLE_ID
from directus import fastlane
from directus.fastlane import FastLane
from tests.api.users.factories import EDITOR_TOKEN, grant, make_editor
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_TOKEN

ADMIN = {"HTTP_AUTHORIZATION": f"Bearer {ADMIN_TOKEN}"}
EDITOR = {"HTTP_AUTHORIZATION": f"Bearer {EDITOR_TOKEN}"}


@pytest.fixture
def wsgi(blog):
    """Calls the WSGI application as a server would, without closing the test's connections
    between requests (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield Wsgi(blog.key)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def watched_lane() -> tuple[FastLane, list]:
    """A lane before a fresh Django application, and the list each request it hands over adds to."""
    declined = []
    django = WSGIHandler()
    return FastLane(lambda environ, start_response: declined.append(1) or django(environ, start_response)), declined


class Wsgi:
    """Both paths, built afresh for each request as directus/wsgi.py builds them (Django reads its
    middlewares' settings once, as a server starts)."""

    def __init__(self, key: str):
        self.key = key

    def environ(self, method: str, path: str, query: str = "", **headers) -> dict:
        request = RequestFactory().generic(method, f"/{self.key}/{path}", **headers)
        environ = dict(request.environ)
        environ["QUERY_STRING"] = query
        return environ

    def call(self, application, environ) -> tuple:
        started = []

        def start_response(status, headers, exc_info=None):
            started.append((status, headers))

        answer = application(environ, start_response)
        try:
            body = b"".join(answer)
        finally:
            answer.close()
        status, headers = started[0]
        return status, sorted((name.lower(), value) for name, value in headers), body

    def create(self, application, payload, query: str = "", caller: dict = ADMIN) -> tuple:
        """POST items/tags with `payload` as its JSON body, answered by `application`."""
        return self.call(application, {**self.environ("POST", "items/tags", query, **caller), **_json_body(payload)})

    def both(self, method: str, path: str, query: str = "", **headers) -> tuple[tuple, bool]:
        """The full path's answer, and whether the lane answered the same request itself."""
        full = self.call(WSGIHandler(), self.environ(method, path, query, **headers))
        lane, declined = watched_lane()
        fast = self.call(lane, self.environ(method, path, query, **headers))
        assert fast == full
        return full, not declined


@pytest.fixture
def articles(blog, schema_admin_api, schema_url):
    author = schema_admin_api.post(
        schema_url("items/authors"), {"name": "Ann", "email": "ann@example.com"}, format="json"
    )
    author_id = author.json()["data"]["id"]
    for number, status in enumerate(["published", "draft", "published", "deleted"], start=1):
        schema_admin_api.post(
            schema_url("items/articles"),
            {
                "title": f"Article {number} — ünïcødé\u2028",
                "status": status,
                "rating": number,
                "author": author_id,
                "comments": [{"text": f"Comment {number}"}],
            },
            format="json",
        )
    return author_id


ANSWERED = [
    ("items/articles/1", ""),
    ("items/articles/1,3", ""),
    ("items/articles", ""),
    ("items/articles", "fields=id,title,author.name&sort=-rating&limit=2&offset=1"),
    ("items/articles", "fields=*.*&meta=*"),
    ("items/articles", "filter[status][eq]=published&filter[rating][gte]=2&meta=total_count,filter_count"),
    ("items/articles", "filter[author.name][contains]=An&q=Article"),
    ("items/articles", "status=draft,published&single=1"),
    ("items/articles", "limit=1&page=2&meta=page"),
    ("items/articles/2", "fields=comments.text,author.*"),
    ("items/authors", "fields=*,articles.title"),
    ("items/articles", f"access_token={ADMIN_TOKEN}"),
]


@pytest.mark.parametrize(("path", "query"), ANSWERED)
def test_reads_are_answered_by_the_lane_as_by_the_full_path(wsgi, articles, path, query):
    (status, _, _), answered = wsgi.both("GET", path, query, **ADMIN)
    assert status == "200 OK"
    assert answered


@pytest.fixture
def editor_role(blog):
    """An editor (tests/api/users/factories.py) in the schema project, which no transaction rolls
    back: removed afterwards."""
    from apps.permissions.models import Permission
    from apps.roles.models import Role
    from apps.users.models import User

    editor = make_editor()
    try:
        yield editor.role
    finally:
        User.objects.filter(pk=editor.pk).delete()
        Permission.objects.filter(role=editor.role).delete()
        Role.objects.filter(pk=editor.role).delete()


def test_other_callers_and_credentials(wsgi, articles, editor_role, schema_admin_api, schema_url):
    grant(editor_role, "articles", read="full", read_field_blacklist=["body"])
    grant(PUBLIC_ROLE_ID, "articles", status="published", read="full")
    assert wsgi.both("GET", "items/articles", "", **EDITOR)[1]
    assert wsgi.both("GET", "items/articles/1", "")[1]  # public: a published one
    basic = base64.b64encode(f"{ADMIN_TOKEN}:".encode()).decode()
    assert wsgi.both("GET", "items/articles/1", "", HTTP_AUTHORIZATION=f"Basic {basic}")[1]
    login = schema_admin_api.post(
        schema_url("auth/authenticate"), {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, format="json"
    )
    jwt = login.json()["data"]["token"]
    assert wsgi.both("GET", "items/articles/1", "", HTTP_AUTHORIZATION=f"Bearer {jwt}")[1]
    # The public role may not read a draft: 403, from the full path.
    assert not wsgi.both("GET", "items/articles/2", "")[1]


def test_cors_and_security_headers(wsgi, articles):
    origin = {"HTTP_ORIGIN": "https://app.example.com"}
    (_, headers, _), answered = wsgi.both("GET", "items/articles/1", "", **ADMIN, **origin)
    assert answered and ("access-control-allow-origin", "*") in headers
    with override_settings(DIRECTUS={"CORS_CREDENTIALS_ORIGINS": ["https://app.example.com"]}):
        (_, headers, _), answered = wsgi.both("GET", "items/articles/1", "", **ADMIN, **origin)
    assert answered and ("access-control-allow-credentials", "true") in headers
    with override_settings(SECURE_HSTS_SECONDS=3600, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        (_, headers, _), answered = wsgi.both("GET", "items/articles", "", **ADMIN, HTTP_X_FORWARDED_PROTO="https")
        assert answered and ("strict-transport-security", "max-age=3600") in headers
        assert wsgi.both("GET", "items/articles", "", **ADMIN)[1]
    with override_settings(SECURE_SSL_REDIRECT=True):
        (status, _, _), answered = wsgi.both("GET", "items/articles", "", **ADMIN)
    assert status.startswith("301") and not answered


@pytest.mark.parametrize(
    ("method", "path", "query", "headers"),
    [
        ("GET", "items/nothing", "", ADMIN),
        ("GET", "items/directus_users", "", ADMIN),
        ("GET", "items/articles/999", "", ADMIN),
        ("GET", "items/articles/abc", "", ADMIN),
        ("GET", "items/articles", "filter[nope][eq]=1", ADMIN),
        ("GET", "items/articles", "filter[rating][nope]=1", ADMIN),
        ("GET", "items/articles", "limit=x", ADMIN),
        ("GET", "items/articles", "", {"HTTP_AUTHORIZATION": "Bearer wrong"}),
        ("GET", "items/articles", "", {}),
        ("GET", "items/articles/", "", ADMIN),
        ("HEAD", "items/articles/1", "", ADMIN),
        ("POST", "items/articles", "", ADMIN),
        ("GET", "items/articles/1/revisions", "", ADMIN),
    ],
)
def test_what_the_lane_does_not_answer_is_the_full_paths(wsgi, articles, method, path, query, headers):
    (status, _, _), answered = wsgi.both(method, path, query, **headers)
    assert not answered
    assert not status.startswith("5")


def test_hosts_django_refuses(wsgi, articles):
    with override_settings(ALLOWED_HOSTS=["api.example.com"]):
        (status, _, _), answered = wsgi.both("GET", "items/articles", "", **ADMIN, HTTP_HOST="evil.example.com")
        assert status.startswith("400") and not answered
        assert wsgi.both("GET", "items/articles", "", **ADMIN, HTTP_HOST="api.example.com")[1]


def test_unknown_projects_and_maintenance(wsgi, articles, tmp_path):
    assert not Wsgi("no-such-project").both("GET", "items/articles", "", **ADMIN)[1]
    flag = tmp_path / "maintenance"
    flag.write_text("")
    with override_settings(DIRECTUS={"MAINTENANCE_FLAG": str(flag)}):
        (status, _, _), answered = wsgi.both("GET", "items/articles", "", **ADMIN)
    assert status.startswith("503") and not answered


def test_the_lane_can_be_turned_off(wsgi, articles):
    with override_settings(DIRECTUS={"FAST_LANE": False}):
        assert not wsgi.both("GET", "items/articles/1", "", **ADMIN)[1]


def test_the_server_application_is_the_lane_before_django():
    assert isinstance(directus.wsgi.application, FastLane)
    assert directus.wsgi.application.django is directus.wsgi.django_application


class _Connection:
    def __init__(self):
        self.queries_log = ["SELECT 1"]
        self.checked = 0

    def close_if_unusable_or_obsolete(self):
        self.checked += 1


def test_the_request_signals_work_is_done_without_dispatch(monkeypatch):
    """With only Django's receivers connected, the lane does their work itself: each request
    clears the query log and checks every open connection as it starts and as it ends, closes
    the caches and resets the URLconf."""
    from django.urls import get_urlconf, set_urlconf

    connection = _Connection()
    closed = []
    monkeypatch.setattr(fastlane.connections, "all", lambda initialized_only=False: [connection])
    monkeypatch.setattr(fastlane.caches, "all", lambda initialized_only=False: [_Cache(closed)])
    dispatched = []
    monkeypatch.setattr(request_started, "send", lambda *args, **kwargs: dispatched.append(args))
    monkeypatch.setattr(request_finished, "send", lambda *args, **kwargs: dispatched.append(args))

    fastlane.request_began({})
    assert (connection.queries_log, connection.checked) == ([], 1)
    set_urlconf("some.urls")
    fastlane.request_ended()
    assert connection.checked == 2
    assert closed == [True]
    assert get_urlconf() is None
    assert dispatched == []


class _Cache:
    def __init__(self, closed: list):
        self.closed = closed

    def close(self):
        self.closed.append(True)


def test_other_receivers_of_the_request_signals_still_receive_them(monkeypatch):
    monkeypatch.setattr(fastlane.connections, "all", lambda initialized_only=False: [])
    started, finished = [], []

    def on_start(sender, environ, **kwargs):
        started.append(environ["PATH_INFO"])

    def on_finish(sender, **kwargs):
        finished.append(sender)

    request_started.connect(on_start)
    request_finished.connect(on_finish)
    try:
        fastlane.request_began({"PATH_INFO": "/_/items/articles"})
        fastlane.request_ended()
    finally:
        request_started.disconnect(on_start)
        request_finished.disconnect(on_finish)
    assert started == ["/_/items/articles"]
    assert finished == [WSGIHandler]


# Creates ------------------------------------------------------------------------------------


def _json_body(payload) -> dict:
    body = json.dumps(payload).encode()
    return {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json"}


def _created(key: int) -> int:
    from apps.schema.cache import project_schema

    return project_schema().model("tags").objects.filter(pk=key).count()


@pytest.mark.parametrize(
    ("query", "payload"),
    [
        ("", {"id": 500, "name": "One"}),
        ("fields=id", {"id": 500, "name": "One"}),
        ("", [{"id": 500, "name": "One"}, {"id": 501, "name": "Two"}]),
    ],
)
def test_creates_are_answered_by_the_lane_as_by_the_full_path(wsgi, schema_admin_api, schema_url, query, payload):
    full = wsgi.create(WSGIHandler(), payload, query=query)
    for key in (500, 501):
        schema_admin_api.delete(schema_url(f"items/tags/{key}"))
    lane, declined = watched_lane()
    fast = wsgi.create(lane, payload, query=query)
    assert fast == full
    assert full[0] == "200 OK" and not declined
    assert _created(500) == 1


@pytest.mark.parametrize(
    "payload",
    [
        {},
        [],
        "text",
        {"id": 600, "name": "x" * 60},  # longer than the column
        {"id": 600, "nope": 1},
    ],
)
def test_refused_creates_are_the_full_paths_and_write_once(wsgi, payload):
    lane, declined = watched_lane()
    full = wsgi.create(WSGIHandler(), payload)
    fast = wsgi.create(lane, payload)
    assert fast == full and declined
    assert not full[0].startswith(("2", "5"))
    assert _created(600) == 0


def test_a_create_that_fails_in_the_database_is_handed_over_without_a_second_row(wsgi):
    first = wsgi.create(WSGIHandler(), {"id": 700})
    assert first[0] == "200 OK"
    lane, declined = watched_lane()
    again = {"id": 700, "name": "Again"}  # the key is taken: the INSERT fails, nothing is written
    fast = wsgi.create(lane, again)
    full = wsgi.create(WSGIHandler(), again)
    assert fast == full and declined
    assert _created(700) == 1


def test_an_error_after_the_write_is_answered_without_writing_again(wsgi, monkeypatch):
    lane, declined = watched_lane()

    def broken(*args, **kwargs):
        raise RuntimeError("after the write")

    monkeypatch.setattr(lane.renderer, "render", broken)
    status, headers, body = wsgi.create(lane, {"id": 800})
    assert status.startswith("500") and not declined
    assert json.loads(body) == {"error": {"code": 0, "message": json.loads(body)["error"]["message"]}}
    assert ("vary", "origin") in headers and ("allow", "GET, POST, PATCH, HEAD, OPTIONS") in headers
    assert _created(800) == 1


def test_bodies_the_lane_does_not_read(wsgi):
    """Large, chunked and non-JSON bodies go to the full path unread."""
    lane, declined = watched_lane()
    large = {"id": 900, "name": "y" * 20, "pad": "z" * (300 * 1024)}
    wsgi.create(lane, large)
    form = {"wsgi.input": io.BytesIO(b"id=901&name=f"), "CONTENT_LENGTH": "13"}
    form["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    wsgi.call(lane, {**wsgi.environ("POST", "items/tags", "", **ADMIN), **form})
    assert len(declined) == 2
    assert _created(901) == 1


def test_a_create_the_caller_may_not_read_back(wsgi, schema_admin_api, schema_url, editor_role):
    grant(editor_role, "tags", create="full")
    full = wsgi.create(WSGIHandler(), {"id": 950}, caller=EDITOR)
    schema_admin_api.delete(schema_url("items/tags/950"))
    lane, declined = watched_lane()
    fast = wsgi.create(lane, {"id": 950}, caller=EDITOR)
    assert fast == full and not declined
    assert full[0] == "204 No Content" and full[2] == b""
    assert _created(950) == 1


def test_whatever_fails_after_a_create_wrote_never_runs_it_again(wsgi, monkeypatch):
    lane, declined = watched_lane()

    def broken(*args, **kwargs):
        raise RuntimeError("after the write")

    monkeypatch.setattr(lane, "response_headers", broken)
    status, _, body = wsgi.create(lane, {"id": 850})
    assert status.startswith("500") and json.loads(body)["error"]["code"] == 0
    assert not declined
    assert _created(850) == 1


class _Silent:
    """A body whose client went silent: the server's reader gives up (an OSError, as gunicorn's)."""

    def read(self, *args):
        raise OSError("no more data")

    readline = read


def test_a_body_the_client_never_finishes_is_the_full_paths_400(wsgi):
    silent = {"wsgi.input": _Silent(), "CONTENT_LENGTH": "100", "CONTENT_TYPE": "application/json"}
    full = wsgi.call(WSGIHandler(), {**wsgi.environ("POST", "items/tags", "", **ADMIN), **silent})
    fast = wsgi.call(FastLane(WSGIHandler()), {**wsgi.environ("POST", "items/tags", "", **ADMIN), **silent})
    assert fast == full
    assert full[0].startswith("400") and json.loads(full[2])["error"]["code"] == 2


# Items the database writes (ItemReader.read_json) ---------------------------------------------

TRICKY_TEXT = 'quote " backslash \\ tab \t newline \n \x01 \x1f \x7f ünïcødé \u2028 \U0001f600 </script> \\u0041'


@pytest.fixture
def notes(blog, schema_admin_api, schema_url):
    """Notes by writers: the column types written as JSON without Python values (integers, short
    text, plain datetimes; long text escaped by the worker), one that is not (a decimal), a
    many-to-one relation, and values that test the escaping and the datetime text; one note's
    writer is missing, one has none."""
    identity = {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True}
    for collection, fields in [
        (
            "writers",
            [
                identity,
                {"field": "name", "type": "string", "datatype": "VARCHAR", "length": 200},
                {"field": "born", "type": "datetime", "datatype": "DATETIME"},
            ],
        ),
        (
            "notes",
            [
                identity,
                {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 200},
                {"field": "body", "type": "string", "datatype": "TEXT"},
                {"field": "rating", "type": "integer", "datatype": "BIGINT", "signed": True},
                {"field": "written", "type": "datetime", "datatype": "DATETIME"},
                {"field": "writer", "type": "m2o", "datatype": "INT"},
                {"field": "price", "type": "decimal", "datatype": "DECIMAL", "length": "10,2"},
            ],
        ),
    ]:
        response = schema_admin_api.post(
            schema_url("collections"), {"collection": collection, "fields": fields}, format="json"
        )
        assert response.status_code == 200, response.content
    relation = {"collection_many": "notes", "field_many": "writer", "collection_one": "writers"}
    assert schema_admin_api.post(schema_url("relations"), relation, format="json").status_code == 200
    writer = {"name": TRICKY_TEXT, "born": "0999-03-04 05:06:07"}
    writer_id = schema_admin_api.post(schema_url("items/writers"), writer, format="json").json()["data"]["id"]
    for note in [
        {
            "title": TRICKY_TEXT,
            "body": TRICKY_TEXT,
            "rating": -(2**62),
            "written": "2020-01-02 03:04:05",
            "writer": writer_id,
        },
        {"title": "No writer", "body": None, "rating": None, "written": None, "writer": None},
        {
            "title": "Missing writer",
            "body": "",
            "rating": 7,
            "written": "2021-06-07 08:09:10",
            "writer": writer_id + 100,
        },
    ]:
        response = schema_admin_api.post(schema_url("items/notes"), note, format="json")
        assert response.status_code == 200, response.content
    return writer_id


@pytest.fixture
def json_reads(monkeypatch):
    """Whether each read_json call gave the items (True) or left them to `read` (False)."""
    from apps.items.reader import ItemReader

    made = []
    original = ItemReader.read_json

    def recording(self, *args):
        items = original(self, *args)
        made.append(items is not None)
        return items

    monkeypatch.setattr(ItemReader, "read_json", recording)
    return made


def _on_postgresql() -> bool:
    from django.db import connections

    from apps.projects.context import current_project

    return connections[current_project().alias].vendor == "postgresql"


WRITTEN_BY_THE_DATABASE = [
    ("items/notes", "fields=id,title,body,rating,written,writer"),
    ("items/notes", "fields=id,title,writer.*&sort=-id"),
    ("items/notes", "fields=title,writer.name,writer.born,rating&meta=total_count"),
    ("items/notes/1", "fields=id,title,body,rating,written,writer.*"),
    ("items/notes/2", "fields=writer.*"),
    ("items/notes/3", "fields=writer.*,id"),
    ("items/notes", "fields=id&single=1&sort=-id"),
    ("items/writers", ""),
    ("items/writers", "limit=0"),
    ("items/notes", "fields=id&filter[id][gt]=100"),
    ("items/notes", "fields=id,writer"),
]


@pytest.mark.parametrize(("path", "query"), WRITTEN_BY_THE_DATABASE)
def test_items_the_database_writes_are_the_full_paths(wsgi, notes, json_reads, path, query):
    (status, _, _), answered = wsgi.both("GET", path, query, **ADMIN)
    assert (status, answered) == ("200 OK", True)
    # Written by PostgreSQL; the other engines' reads are the reader's own.
    assert json_reads == [_on_postgresql()] or (json_reads == [] and "limit=0" in query)


@pytest.mark.parametrize("query", ["fields=id,price", ""])
def test_levels_with_other_columns_are_the_readers(wsgi, notes, json_reads, query):
    (status, _, _), answered = wsgi.both("GET", "items/notes", query, **ADMIN)
    assert (status, answered) == ("200 OK", True)
    assert json_reads == [False]  # the decimal


def test_the_database_writes_what_a_role_may_read(wsgi, notes, json_reads, editor_role):
    grant(editor_role, "notes", read="full", read_field_blacklist=["body", "price"])
    grant(editor_role, "writers", read="full", read_field_blacklist=["born"])
    assert wsgi.both("GET", "items/notes", "", **EDITOR)[1]
    assert wsgi.both("GET", "items/notes", "fields=*,writer.*", **EDITOR)[1]
    assert json_reads == [_on_postgresql()] * 2


def test_relations_the_role_may_not_read_are_the_readers(wsgi, notes, json_reads, editor_role):
    grant(editor_role, "notes", read="full", read_field_blacklist=["price"])
    (_, _, body), answered = wsgi.both("GET", "items/notes", "fields=id,writer.*", **EDITOR)
    assert answered
    assert [message["code"] for message in json.loads(body)["messages"]] == [18]
    assert json_reads == [False]


def test_json_from_the_database_can_be_turned_off(wsgi, notes, json_reads):
    with override_settings(DIRECTUS={"JSON_FROM_DATABASE": False}):
        assert wsgi.both("GET", "items/notes", "fields=id,title", **ADMIN)[1]
    assert json_reads == []


@pytest.mark.engines("postgres")
def test_a_connection_dropped_between_reads_is_replaced(wsgi, notes, json_reads):
    """The database-written reads run on a psycopg cursor kept with the connection: a backend that
    ended between two requests (a restart) is noticed as for any other statement, the connection
    replaced, and the read answered by the lane."""
    from django.db import connections

    from apps.projects.context import current_project
    from tests.api.projects.test_dropped_connections import terminate

    assert wsgi.both("GET", "items/notes/1", "fields=id,title", **ADMIN)[1]
    alias = current_project().alias
    before = connections[alias].connection.info.backend_pid
    terminate(alias)
    lane, declined = watched_lane()
    status, _, body = wsgi.call(lane, wsgi.environ("GET", "items/notes/1", "fields=id,title", **ADMIN))
    assert (status, declined) == ("200 OK", []), body
    assert json.loads(body)["data"]["id"] == 1
    assert connections[alias].connection.info.backend_pid != before
    assert json_reads == [True, True]
