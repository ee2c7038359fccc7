"""Item reads keep their compiled statements (apps/items/statements.py): the same read with new
ids or keys compiles nothing, yet data, permissions and `now` are never served stale."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.items import statements
from apps.permissions.models import Permission
from apps.roles.models import Role
from apps.schema import services
from apps.schema.cache import project_schema
from apps.users.models import User
from tests.api.users.factories import client_with_token, grant, make_editor, make_user
from tests.blog import admin_identity
from tests.helpers import error_of


@pytest.fixture
def compiled(monkeypatch) -> list[str]:
    """The kind of every statement compiled from now on ("ids", "list" or "in")."""
    kinds = []
    original = statements._compile

    def counting(alias, source, attnames):
        kinds.append(source.key[0])
        return original(alias, source, attnames)

    monkeypatch.setattr(statements, "_compile", counting)
    return kinds


def create(api, url, collection: str, body: dict) -> dict:
    response = api.post(url(f"items/{collection}"), body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def data(response):
    assert response.status_code == 200, response.content
    return response.json()["data"]


@pytest.fixture
def articles(blog, schema_admin_api, schema_url):
    ada = create(schema_admin_api, schema_url, "authors", {"name": "Ada"})
    bob = create(schema_admin_api, schema_url, "authors", {"name": "Bob"})
    return [
        create(
            schema_admin_api, schema_url, "articles", {"title": title, "author": author["id"], "status": "published"}
        )
        for title, author in (("One", ada), ("Two", bob), ("Three", ada))
    ]


def test_reads_by_id_compile_once_and_bind_each_id(articles, schema_admin_api, schema_url, compiled):
    api, url = schema_admin_api, schema_url
    one, two, three = articles
    assert data(api.get(url(f"items/articles/{one['id']}"), {"fields": "title,author.name"})) == {
        "title": "One",
        "author": {"name": "Ada"},
    }
    assert compiled == ["ids", "in"]
    assert data(api.get(url(f"items/articles/{two['id']}"), {"fields": "title,author.name"})) == {
        "title": "Two",
        "author": {"name": "Bob"},
    }
    pair = data(api.get(url(f"items/articles/{three['id']},{one['id']}"), {"fields": "id,title"}))
    assert pair == [{"id": three["id"], "title": "Three"}, {"id": one["id"], "title": "One"}]
    assert compiled == ["ids", "in", "ids"]  # two ids: another statement, compiled once
    data(api.get(url(f"items/articles/{two['id']},{one['id']}"), {"fields": "id,title"}))
    assert compiled == ["ids", "in", "ids"]
    response = api.get(url("items/articles/999999"), {"fields": "title"})
    assert error_of(response) == (404, 203)


def test_lists_compile_once_and_read_current_data(articles, schema_admin_api, schema_url, compiled):
    api, url = schema_admin_api, schema_url
    query = {"fields": "title,author.name", "sort": "title", "filter[status][eq]": "published", "limit": 2}
    first = data(api.get(url("items/articles"), query))
    assert first == [{"title": "One", "author": {"name": "Ada"}}, {"title": "Three", "author": {"name": "Ada"}}]
    kinds = list(compiled)
    assert kinds.count("list") == 1

    one = articles[0]
    assert api.patch(url(f"items/articles/{one['id']}"), {"title": "Zero"}, format="json").status_code == 200
    compiled.clear()
    again = data(api.get(url("items/articles"), query))
    assert again == [{"title": "Three", "author": {"name": "Ada"}}, {"title": "Two", "author": {"name": "Bob"}}]
    assert "list" not in compiled  # same SQL, new rows; the authors' IN list has a new length
    assert data(api.get(url("items/articles"), {**query, "offset": 1}))[0]["title"] == "Two"
    assert compiled.count("list") == 1  # another window is another statement


def test_filters_naming_now_compile_every_time(articles, schema_admin_api, schema_url, compiled):
    query = {"fields": "title", "filter[created_on][lte]": "now", "sort": "id"}
    for _ in range(2):
        data(schema_admin_api.get(schema_url("items/articles"), query))
    assert compiled.count("list") == 0  # never kept: `now` moves


@pytest.fixture
def two_editors(blog):
    """Two users of one role; removed afterwards (the schema tests' project is not rolled back)."""
    editor = make_editor()
    other = make_user("other@example.com", role=editor.role, token="other-static-token")
    yield editor, other
    Permission.objects.filter(role=editor.role).delete()
    User.objects.filter(pk__in=[editor.pk, other.pk]).delete()
    Role.objects.filter(pk=editor.role).delete()


def test_each_user_reads_their_own_rows_until_permissions_change(
    articles, two_editors, schema_admin_api, schema_url, compiled
):
    editor, other = two_editors
    grant(editor.role, "articles", read="mine")
    grant(editor.role, "authors", read="full")
    model = project_schema().model("articles")
    model.objects.filter(pk=articles[0]["id"]).update(owner=editor.pk)
    model.objects.filter(pk__in=[articles[1]["id"], articles[2]["id"]]).update(owner=other.pk)
    edith, otto = client_with_token(editor.token), client_with_token(other.token)
    url = schema_url
    query = {"fields": "title", "sort": "id"}

    assert data(edith.get(url("items/articles"), query)) == [{"title": "One"}]
    assert data(otto.get(url("items/articles"), query)) == [{"title": "Two"}, {"title": "Three"}]
    assert data(edith.get(url("items/articles"), query)) == [{"title": "One"}]
    assert compiled.count("list") == 2
    assert data(edith.get(url(f"items/articles/{articles[0]['id']}"), query)) == {"title": "One"}
    assert otto.get(url(f"items/articles/{articles[0]['id']}"), query).status_code in (403, 404)

    row = Permission.objects.get(role=editor.role, collection="articles")
    response = schema_admin_api.patch(url(f"permissions/{row.pk}"), {"read": "full"}, format="json")
    assert response.status_code == 200, response.content
    assert len(data(edith.get(url("items/articles"), query))) == 3
    assert data(otto.get(url(f"items/articles/{articles[0]['id']}"), query)) == {"title": "One"}


def test_text_keys_are_bound_like_numbers(blog, schema_admin_api, schema_url, compiled):
    services.create_collection(
        {
            "collection": "pages",
            "fields": [
                {"field": "slug", "type": "string", "datatype": "VARCHAR", "length": 50, "primary_key": True},
                {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
            ],
        },
        admin_identity(),
    )
    api, url = schema_admin_api, schema_url
    for slug in ("home", "about"):
        create(api, url, "pages", {"slug": slug, "title": slug.title()})
    compiled.clear()
    assert data(api.get(url("items/pages/home"))) == {"slug": "home", "title": "Home"}
    assert data(api.get(url("items/pages/about"))) == {"slug": "about", "title": "About"}
    assert compiled == ["ids"]
    assert api.get(url("items/pages/nowhere")).status_code == 404


def test_the_kept_statements_are_bounded(articles, schema_admin_api, schema_url, monkeypatch):
    monkeypatch.setattr(statements, "STATEMENTS_KEPT", 3)
    project_schema()._config.pop("item_read_statements", None)
    for limit in range(1, 8):
        items = data(schema_admin_api.get(schema_url("items/articles"), {"fields": "id", "limit": limit}))
        assert len(items) == min(limit, 3)
    assert len(project_schema().config("item_read_statements", statements.ReadStatements)) == 3


def test_postgresql_binds_any_number_of_keys_as_one_array(articles, schema_admin_api, schema_url, compiled, engine):
    """Several keys: one array on PostgreSQL (one statement for any count), an IN list elsewhere;
    a single integer key is compared with `=` everywhere."""
    alias = project_schema().alias
    ids = [article["id"] for article in articles]
    with CaptureQueriesContext(connections[alias]) as captured:
        for count in (1, 2, 3, 1, 3):
            path = "items/articles/" + ",".join(str(pk) for pk in ids[:count])
            read = data(schema_admin_api.get(schema_url(path), {"fields": "id"}))
            assert (read if count > 1 else [read]) == [{"id": pk} for pk in ids[:count]]
    reads = [query["sql"] for query in captured.captured_queries if "articles" in query["sql"]]
    assert f'"id" = {ids[0]}' in reads[0].replace("`", '"') and "ANY(" not in reads[0] and reads[0] == reads[3]
    if engine == "postgres":
        assert compiled == ["ids", "ids"] and all("= ANY(" in sql for sql in reads[1:3])
    else:
        assert compiled == ["ids", "ids", "ids"] and all(" IN (" in sql for sql in reads[1:3])
