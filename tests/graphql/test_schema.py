"""The GraphQL schema follows the project schema (rebuilt, never patched, cache bounded), and
nested reads cost one statement per relation level whatever the number of rows."""

from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from apps.graphql import cache
from apps.schema import cache as schema_cache
from apps.schema.cache import project_schema
from tests.graphql.conftest import data_of
from tests.helpers import graphql_error

NESTED = """{ articles(limit: %d, sort: "id") { data {
    id title
    author { name articles { title } }
    comments { text article { title } }
    tags { tag { name } }
} meta { result_count } } }"""


def test_a_field_added_through_rest_is_queryable_on_the_next_request(
    blog, gql, schema_admin_api, schema_url, monkeypatch
):
    schema_admin_api.post(schema_url("items/articles"), {"title": "T"}, format="json")
    assert data_of(gql("{ articles { data { title } } }"))["articles"]["data"] == [{"title": "T"}]
    before = cache.schema_for(blog, project_schema(), cache.visibility(project_schema(), _admin_guard(), {}))
    graphql_error(gql("{ articles { data { subtitle } } }"), 400)

    # Another worker, which has seen the schema as it is now, will serve the next request.
    other_worker = schema_cache.ProjectSchema(blog)
    other_worker.refresh()

    field = {"field": "subtitle", "type": "string", "datatype": "VARCHAR", "length": 50}
    assert schema_admin_api.post(schema_url("fields/articles"), field, format="json").status_code == 200
    monkeypatch.setitem(schema_cache._schemas, blog.key, other_worker)
    schema_admin_api.patch(schema_url("items/articles/1"), {"subtitle": "sub"}, format="json")
    data = data_of(gql('{ articles(filter: {subtitle_eq: "sub"}) { data { title subtitle } } }'))
    assert data["articles"]["data"] == [{"title": "T", "subtitle": "sub"}]

    # A new schema was built; the old one is untouched and no longer kept.
    assert "subtitle" not in before.item_fields["ArticlesItem"]
    versions = {key[2] for key in cache.cached_keys() if key[0] == blog.key}
    assert versions == {other_worker.global_version} and "subtitle" in other_worker.collection("articles").fields


def _admin_guard():
    from apps.access.interface import Guard

    return Guard()


def test_the_schema_cache_is_bounded(blog):
    schema = project_schema()
    visible = cache.visibility(schema, _admin_guard(), {})
    with override_settings(DIRECTUS={"GRAPHQL_SCHEMA_CACHE_SIZE": 2}):
        built = [cache.schema_for(blog, schema, {**visible, "articles": visible["articles"][:n]}) for n in (2, 3, 4)]
        keys = [key for key in cache.cached_keys() if key[0] == blog.key]
        assert len(cache.cached_keys()) <= 2 and len(keys) == 2
        assert cache.schema_for(blog, schema, {**visible, "articles": visible["articles"][:4]}) is built[2]
    # Different read permissions, different schemas.
    assert len({id(item.schema) for item in built}) == 3
    assert set(built[0].item_fields["ArticlesItem"]) == {"id", "status"}


def test_nested_reads_cost_the_same_statements_for_5_and_50_rows(
    blog, gql, schema_admin_api, schema_url, schema_project
):
    api, url = schema_admin_api, schema_url
    authors = api.post(url("items/authors?activity_skip=1"), [{"name": f"A{i}"} for i in range(5)], format="json")
    authors = authors.json()["data"]
    articles = [
        {
            "title": f"T{i}",
            "author": authors[i % 5]["id"],
            "comments": [{"text": f"c{i}"}, {"text": f"d{i}"}],
            "tags": [{"tag": {"name": f"t{i}"}}],
        }
        for i in range(50)
    ]
    assert api.post(url("items/articles?activity_skip=1"), articles, format="json").status_code == 200
    connection = connections[schema_project.alias]

    def statements(limit: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            data = data_of(gql(NESTED % limit))["articles"]
        assert data["meta"]["result_count"] == limit
        first = data["data"][0]
        assert first["author"]["name"] == "A0" and len(first["author"]["articles"]) == 10
        assert first["comments"] == [
            {"text": "c0", "article": {"title": "T0"}},
            {"text": "d0", "article": {"title": "T0"}},
        ]
        assert first["tags"] == [{"tag": {"name": "t0"}}]
        return len(queries)

    statements(5)  # warm the schema caches
    assert statements(5) == statements(50) <= 15
