"""A plain create on PostgreSQL is one statement in autocommit (apps/items/one_statement.py): it
answers and records byte for byte what a create in a transaction does, leaves nothing behind when
it fails, and still runs again when the schema changed under it. Everything else keeps its
transaction."""

import datetime

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.items.audit import Actor
from apps.items.operations import ItemService
from apps.items.services import ItemWriter
from apps.permissions.models import Permission
from apps.roles.models import Role
from apps.schema import cache, services
from apps.schema.cache import project_schema
from apps.users.models import User
from tests.api.users.factories import client_with_token, grant, make_editor
from tests.blog import ID, admin_identity
from tests.helpers import error_of

STATUSES = {"status_mapping": {"draft": {"name": "Draft"}, "published": {"name": "Published"}}}
# Every type whose values are stored as sent, and a decimal that is only ever left NULL.
FIELDS = [
    ID,
    {"field": "status", "type": "status", "datatype": "VARCHAR", "length": 20, "options": STATUSES},
    {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 200},
    {"field": "body", "type": "string", "datatype": "TEXT"},
    {"field": "code", "type": "string", "datatype": "VARCHAR", "length": 6},  # character(6) below
    {"field": "slug", "type": "slug", "datatype": "VARCHAR", "length": 255, "options": {"mirroredField": "title"}},
    {"field": "uid", "type": "uuid", "datatype": "VARCHAR", "length": 36},
    {"field": "small", "type": "integer", "datatype": "SMALLINT", "signed": True},
    {"field": "amount", "type": "integer", "datatype": "INT", "signed": True},
    {"field": "big", "type": "integer", "datatype": "BIGINT", "signed": True},
    {"field": "sort", "type": "sort", "datatype": "INT"},
    {"field": "active", "type": "boolean", "datatype": "BOOLEAN"},
    {"field": "flag", "type": "boolean", "datatype": "TINYINT", "length": 1},
    {"field": "owner", "type": "owner", "datatype": "INT"},
    {"field": "modified_by", "type": "user_updated", "datatype": "INT"},
    {"field": "created_on", "type": "datetime_created", "datatype": "DATETIME"},
    {"field": "modified_on", "type": "datetime_updated", "datatype": "DATETIME"},  # without time zone below
    {"field": "happened_at", "type": "datetime", "datatype": "DATETIME"},
    {"field": "local_at", "type": "datetime", "datatype": "DATETIME"},  # without time zone below
    {"field": "day", "type": "date", "datatype": "DATE"},
    {"field": "at", "type": "time", "datatype": "TIME"},
    {"field": "data", "type": "json", "datatype": "TEXT"},
    {"field": "price", "type": "decimal", "datatype": "DECIMAL", "length": "10,2"},
]
PAYLOADS = [
    {"status": "draft", "title": "Plain"},
    {
        "status": "published",
        "title": 'Ünïcødé "quoted" \\ back\nslash\ttab 😀 ',
        "body": "line\r\nnext\u2028sep\x01 trailing   ",
        "code": "ab",
        "uid": "0E984725-C51C-4BF4-9960-E1C80E27ABA0",
        "small": -32768,
        "amount": "42",
        "big": 9007199254740993,
        "sort": 3,
        "active": True,
        "flag": "1",
        "happened_at": "2024-02-29T23:59:59.999999+02:00",
        "local_at": "2024-01-02 03:04:05",
        "day": "2024-01-02",
        "at": "12:00:01.250000",
        "data": {"b": [1, 2.5, None], "a": {"z": "ü"}},
        "price": None,
    },
    {
        "status": "draft",
        "title": "",
        "code": "abcdef",
        "body": "",
        "data": "not json",
        "amount": 0,
        "active": False,
        "flag": False,
        "happened_at": "2024-01-02",
    },
]
QUERIES = ["", "?comment=Looked%20at", "?activity_skip=1", "?fields=title,id,happened_at,modified_on&meta=*"]
NOW = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.UTC)


@pytest.fixture
def in_a_transaction():
    """`in_a_transaction()` makes every create as before, in a transaction whatever it writes;
    `in_a_transaction(False)` ends that."""
    patch = pytest.MonkeyPatch()

    def switch(on: bool = True):
        if on:
            patch.setattr(ItemWriter, "may_create_alone", lambda writer, collection, payload: False)
        else:
            patch.undo()

    yield switch
    patch.undo()


@pytest.fixture
def frozen_now(monkeypatch):
    """Every request acts at NOW (its activity rows and the values the server fills)."""
    made = Actor.from_request.__func__

    def at_now(cls, request, *, query=None):
        actor = made(cls, request, query=query)
        actor.now = NOW
        return actor

    monkeypatch.setattr(Actor, "from_request", classmethod(at_now))


@pytest.fixture
def plain_types(schema_project, engine):
    services.create_collection({"collection": "plain_types", "fields": FIELDS}, admin_identity())
    if engine == "postgres":
        with connections[schema_project.alias].cursor() as cursor:
            cursor.execute(
                "ALTER TABLE plain_types ALTER COLUMN code TYPE character(6), "
                "ALTER COLUMN modified_on TYPE timestamp without time zone, "
                "ALTER COLUMN local_at TYPE timestamp without time zone"
            )
        cache.bump(schema_project.alias, {"plain_types"})
    return schema_project


def statements_of(response_of):
    """The response of `response_of()` and the SQL of the statements it sent."""
    with CaptureQueriesContext(connections[project_schema().alias]) as captured:
        response = response_of()
    return response, [query["sql"] for query in captured.captured_queries]


def recorded(alias: str, collection: str, pk: int) -> list[tuple]:
    """The activity rows and revisions of one item as stored (JSON as its text), the key's
    text replaced so that two items compare."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT a.action, a.action_by, a.action_on, a.ip, a.user_agent, a.collection, a.item, a.edited_on, "
            "a.comment, a.comment_deleted_on, r.collection, r.item, r.data, r.delta, r.parent_collection, "
            "r.parent_item, r.parent_changed "
            "FROM directus_activity a LEFT JOIN directus_revisions r ON r.activity = a.id "
            "WHERE a.collection = %s AND a.item = %s ORDER BY a.id",
            [collection, str(pk)],
        )
        rows = cursor.fetchall()
    key = f'"id":{pk},'
    return [
        tuple(
            "KEY" if value == str(pk) else value.replace(key, '"id":KEY,') if isinstance(value, str) else value
            for value in row
        )
        for row in rows
    ]


def stored_row(alias: str, pk: int) -> tuple:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT * FROM plain_types WHERE id = %s", [pk])
        return cursor.fetchone()[1:]


@pytest.mark.engines("postgres")
def test_plain_creates_answer_and_record_as_in_a_transaction(
    plain_types, schema_admin_api, schema_url, frozen_now, in_a_transaction
):
    api, alias = schema_admin_api, plain_types.alias
    api.post(schema_url("items/plain_types"), PAYLOADS[0], format="json")  # the first reads the catalog
    every_type = None
    for payload in PAYLOADS:
        for query in QUERIES:
            skipped = "activity_skip" in query
            answers = []
            for alone in (True, False):
                in_a_transaction(not alone)
                path = schema_url("items/plain_types") + query
                response, sql = statements_of(lambda path=path, payload=payload: api.post(path, payload, format="json"))
                assert response.status_code == 200, response.content
                if alone:
                    assert len(sql) == 1 and sql[0].startswith("INSERT" if skipped else 'WITH "created_item"'), sql
                else:
                    assert sql[0] == "BEGIN" and sql[-1] == "COMMIT" and len(sql) == (3 if skipped else 4), sql
                pk = response.json()["data"]["id"]
                answers.append(
                    (
                        response.content.replace(f'"id":{pk},'.encode(), b'"id":KEY,'),
                        recorded(alias, "plain_types", pk),
                        stored_row(alias, pk),
                    )
                )
            assert answers[0] == answers[1], (payload, query)
            assert len(answers[0][1]) == (0 if skipped else 1)
            if payload is PAYLOADS[1] and query == "":
                [every_type] = answers[0][1]

    # What both wrote, for the row of every type.
    data = every_type[12]
    assert every_type[:3] == ("create", 1, NOW) and every_type[6] == every_type[11] == "KEY"
    assert data.startswith('{"id":KEY,"status":"published","title":"Ünïcødé \\"quoted\\" \\\\ back\\nslash')
    for text in (
        '"code":"ab    "',
        '"big":9007199254740993',
        '"active":true,"flag":true',
        '"created_on":"2024-05-06T07:08:09.123456+00:00"',
        '"modified_on":"2024-05-06T07:08:09.123456"',  # without time zone
        '"happened_at":"2024-02-29 21:59:59"',
        '"at":"12:00:01"',
        '"data":{"b":[1,2.5,null],"a":{"z":"ü"}}',
        '"price":null',
    ):
        assert text in data


@pytest.mark.engines("postgres", "mariadb")
def test_only_plain_creates_leave_the_transaction(plain_types, schema_admin_api, schema_url, engine):
    """Values left to a database default, a given key, a value not stored as sent: in a
    transaction, as before. On other engines every create is."""
    api, alias = schema_admin_api, plain_types.alias
    api.post(schema_url("items/plain_types"), PAYLOADS[0], format="json")
    with connections[alias].cursor() as cursor:
        cursor.execute("ALTER TABLE plain_types ALTER COLUMN amount SET DEFAULT 7")
    cache.bump(alias, {"plain_types"})
    for payload in (
        {"title": "default amount"},
        {"id": 9000, "title": "given key", "amount": 1},
        {"title": "priced", "amount": 1, "price": "1.50"},
        {"title": "plain", "amount": 1},
    ):
        payload = {"status": "draft", **payload}
        response, sql = statements_of(
            lambda payload=payload: api.post(schema_url("items/plain_types"), payload, format="json")
        )
        assert response.status_code == 200, response.content
        item = response.json()["data"]
        alone = engine == "postgres" and payload["title"] == "plain"
        assert ("BEGIN" not in sql) == alone, sql
        assert item["amount"] == payload.get("amount", 7)
        [audit] = recorded(alias, "plain_types", item["id"])
        assert f'"amount":{item["amount"]},' in audit[12]


def article(title: str, **values) -> dict:
    # `status` given: left out, the column's database default would fill it (not plain).
    return {"title": title, "status": "draft", **values}


def counts(alias: str, title: str) -> tuple[int, int, int]:
    """Articles of that title, activity rows and revisions."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM articles WHERE title = %s), (SELECT count(*) FROM directus_activity), "
            "(SELECT count(*) FROM directus_revisions)",
            [title],
        )
        return cursor.fetchone()


@pytest.mark.engines("postgres")
def test_a_warm_plain_create_is_one_statement_in_autocommit(blog, schema_admin_api, schema_url):
    url = schema_url("items/articles")
    for title in ("warm", "up"):
        assert schema_admin_api.post(url, article(title), format="json").status_code == 200
    connection = connections[blog.alias]
    commits = connection.commits
    response, sql = statements_of(lambda: schema_admin_api.post(url, article("One"), format="json"))
    assert response.status_code == 200, response.content
    assert len(sql) == 1 and sql[0].startswith('WITH "created_item"'), sql
    # Autocommit: no transaction was opened or committed for it.
    assert connection.commits == commits and connection.get_autocommit()
    assert counts(blog.alias, "One")[0] == 1


def test_other_creates_keep_their_transaction(blog, schema_admin_api, schema_url, editor, engine):
    """Nested rows, relations read back, a caller with a row filter, a value left to a database
    default: one transaction each, on every engine."""
    url = schema_url("items/articles")
    author = schema_admin_api.post(schema_url("items/authors"), {"name": "Ada"}, format="json").json()["data"]
    grant(editor.role, "articles", create="full", read="mine")
    for client, path, payload in (
        (schema_admin_api, url, article("Nested", comments=[{"text": "first"}])),
        (schema_admin_api, url, article("Nested author", author={"name": "Bob"})),
        (schema_admin_api, url + "?fields=*,author.name", article("Expanded", author=author["id"])),
        (client_with_token(editor.token), url, article("Mine")),
        (schema_admin_api, url, {"title": "Default status"}),
    ):
        response, sql = statements_of(
            lambda client=client, path=path, payload=payload: client.post(path, payload, format="json")
        )
        assert response.status_code == 200, response.content
        assert "BEGIN" in sql or engine != "postgres", sql
        assert not any(statement.startswith('WITH "created_item"') for statement in sql)
    expanded = schema_admin_api.get(url, {"filter[title][eq]": "Expanded", "fields": "author.name"}).json()["data"]
    assert expanded == [{"author": {"name": "Ada"}}]


@pytest.fixture
def editor(blog):
    """An editor (its role, permissions and user removed afterwards: the project is not rolled back)."""
    user = make_editor()
    yield user
    Permission.objects.filter(role=user.role).delete()
    User.objects.filter(pk=user.pk).delete()
    Role.objects.filter(pk=user.role).delete()


# Each breaks the INSERT behind the schema's back: the API's own checks pass, the database refuses.
BREAKS = {
    "unique violation": ("CREATE UNIQUE INDEX articles_title ON articles (title)", {}),
    "not null": ("ALTER TABLE articles ALTER COLUMN body SET NOT NULL", {}),
    "value too long": ("ALTER TABLE articles ALTER COLUMN title TYPE varchar(8)", {"title": "Too long by far"}),
}


@pytest.mark.engines("postgres")
@pytest.mark.parametrize("failure", BREAKS)
def test_a_failing_plain_create_leaves_nothing_and_answers_as_before(
    blog, schema_admin_api, schema_url, in_a_transaction, failure
):
    alias, url = blog.alias, schema_url("items/articles")
    ddl, values = BREAKS[failure]
    payload = article("Taken", body="text")
    assert schema_admin_api.post(url, payload, format="json").status_code == 200
    with connections[alias].cursor() as cursor:
        cursor.execute(ddl)
    payload = article(values.get("title", "Taken"))
    errors = []
    for alone in (True, False):
        in_a_transaction(not alone)
        before = counts(alias, payload["title"])
        response, sql = statements_of(lambda: schema_admin_api.post(url, payload, format="json"))
        assert response.status_code >= 400, response.content
        assert any(statement.startswith('WITH "created_item"') for statement in sql) == alone, sql
        assert counts(alias, payload["title"]) == before
        errors.append(error_of(response))
    assert errors[0] == errors[1]
    assert errors[0] == {"unique violation": (409, 204), "not null": (422, 4), "value too long": (500, 0)}[failure]


@pytest.mark.engines("postgres")
def test_a_plain_create_runs_again_when_a_column_went_away(blog, schema_admin_api, schema_url):
    """The statement failed, so nothing was committed: the request runs again on the new schema."""
    alias, url = blog.alias, schema_url("items/articles")
    assert schema_admin_api.post(url, article("warm"), format="json").status_code == 200
    with connections[alias].cursor() as cursor:
        cursor.execute("ALTER TABLE articles DROP COLUMN body")  # behind the schema's back
    response, sql = statements_of(lambda: schema_admin_api.post(url, article("Again"), format="json"))
    assert response.status_code == 200, response.content
    assert "body" not in response.json()["data"]
    assert [statement for statement in sql if statement.startswith('WITH "created_item"')][-1].count('"body"') == 0
    assert sum(statement.startswith('WITH "created_item"') for statement in sql) == 2
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM directus_revisions WHERE data LIKE %s", ['%"title":"Again"%'])
        assert cursor.fetchone()[0] == 1
    assert counts(alias, "Again")[0] == 1


@pytest.mark.engines("postgres")
def test_a_committed_plain_create_never_runs_again(blog, schema_admin_api, schema_url, monkeypatch):
    """An autocommitted statement is a committed write (apps.core.rerun.WriteWatch): a schema
    change met after it answers 503, and the item is not created twice."""
    alias, url = blog.alias, schema_url("items/articles")
    assert schema_admin_api.post(url, article("warm"), format="json").status_code == 200
    read = ItemService.read

    def read_meeting_a_change(self, *args, **kwargs):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM articles")  # as if a column went away now
        return read(self, *args, **kwargs)

    monkeypatch.setattr(ItemService, "read", read_meeting_a_change)
    response, sql = statements_of(lambda: schema_admin_api.post(url, article("Once"), format="json"))
    assert error_of(response) == (503, 0) and response["Retry-After"]
    assert sum(statement.startswith('WITH "created_item"') for statement in sql) == 1
    assert counts(alias, "Once")[0] == 1


@pytest.mark.engines("postgres")
@pytest.mark.parametrize(
    "query", ["fields=nope", "fields=title," + ".".join(["author"] * 12), "meta[total]=1", "lang[en]=1"]
)
def test_a_read_back_that_fails_writes_nothing(blog, schema_admin_api, schema_url, in_a_transaction, query):
    """What the read-back would refuse is refused before the statement."""
    alias, url = blog.alias, schema_url(f"items/articles?{query}")
    errors = []
    for alone in (True, False):
        in_a_transaction(not alone)
        before = counts(alias, "Unread")
        response, sql = statements_of(lambda: schema_admin_api.post(url, article("Unread"), format="json"))
        assert not any(statement.startswith(("WITH", "INSERT")) for statement in sql) or not alone, sql
        assert counts(alias, "Unread") == before
        errors.append(error_of(response))
    assert errors[0] == errors[1] and errors[0][0] in (400, 422)


@pytest.mark.engines("postgres")
def test_a_table_with_a_trigger_keeps_the_transaction(blog, schema_admin_api, schema_url):
    """A trigger may change the row on its way in: the revision must hold what it stored."""
    alias, url = blog.alias, schema_url("items/articles")
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION shout() RETURNS trigger AS $$ BEGIN NEW.title := upper(NEW.title); RETURN NEW; END $$ "
            "LANGUAGE plpgsql"
        )
        cursor.execute("CREATE TRIGGER articles_shout BEFORE INSERT ON articles FOR EACH ROW EXECUTE FUNCTION shout()")
    try:
        cache.bump(alias, {"articles"})  # as `manage.py refresh_project` does
        response, sql = statements_of(lambda: schema_admin_api.post(url, article("quiet"), format="json"))
        assert response.status_code == 200, response.content
        assert "BEGIN" in sql and response.json()["data"]["title"] == "QUIET"
        [audit] = recorded(alias, "articles", response.json()["data"]["id"])
        assert '"title":"QUIET"' in audit[12]
    finally:
        with connections[alias].cursor() as cursor:
            cursor.execute("DROP TRIGGER articles_shout ON articles")
            cursor.execute("DROP FUNCTION shout()")
