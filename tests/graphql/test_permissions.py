"""GraphQL applies the permissions REST applies, and what a role may not read does not exist in
its schema: not in queries, filters, mutations or introspection."""

from rest_framework.test import APIClient

from apps.roles.models import PUBLIC_ROLE_ID
from apps.schema.cache import project_schema
from tests.api.users.factories import client_with_token
from tests.graphql.conftest import as_rest, data_of, grant
from tests.helpers import graphql_error

INTROSPECT = """{
  query: __type(name: "Query") { fields { name } }
  mutation: __type(name: "Mutation") { fields { name } }
  item: __type(name: "ArticlesItem") { fields { name type { kind name ofType { name } } } }
  filter: __type(name: "ArticlesFilter") { inputFields { name } }
  authors: __type(name: "AuthorsItem") { name }
}"""


def seed_for(editor, api, url) -> list[int]:
    """Articles by the admin and by the editor (inserted as rows), with comments."""
    author = api.post(url("items/authors"), {"name": "Ada"}, format="json").json()["data"]
    body = [
        {"title": f"T{index}", "body": "secret", "author": author["id"], "comments": [{"text": f"c{index}"}]}
        for index in range(4)
    ]
    ids = [item["id"] for item in api.post(url("items/articles"), body, format="json").json()["data"]]
    project_schema().model("articles").objects.filter(pk__in=ids[:2]).update(owner=editor.pk)
    return ids


def test_a_role_sees_only_what_it_may_read(blog, gql, editor, editor_api, schema_admin_api, schema_url):
    ids = seed_for(editor, schema_admin_api, schema_url)
    grant(editor.role, "articles", read="mine", read_field_blacklist=["body"])
    grant(editor.role, "comments", read="full")

    schema = data_of(gql(INTROSPECT, client=editor_api))
    assert {"articles", "comments"} <= {field["name"] for field in schema["query"]["fields"]}
    assert not {"authors", "tags", "articles_tags"} & {field["name"] for field in schema["query"]["fields"]}
    assert "create_articles_item" in {field["name"] for field in schema["mutation"]["fields"]}
    assert not any("authors" in field["name"] for field in schema["mutation"]["fields"])
    fields = {field["name"]: field["type"] for field in schema["item"]["fields"]}
    assert "body" not in fields and "tags" not in fields  # blacklisted; O2M into an unreadable junction
    assert fields["author"] == {"kind": "SCALAR", "name": "Int", "ofType": None}  # the raw key, as REST
    assert fields["comments"]["kind"] == "LIST"
    filters = {field["name"] for field in schema["filter"]["inputFields"]}
    assert "title_eq" in filters and not {name for name in filters if name.startswith(("body", "tags"))}
    assert "author_eq" in filters and "author_contains" not in filters  # the key, not the related rows
    assert "author" not in filters and schema["authors"] is None

    # The admin's schema has all of it.
    admin = data_of(gql(INTROSPECT))
    assert "body" in {field["name"] for field in admin["item"]["fields"]} and admin["authors"] == {
        "name": "AuthorsItem"
    }

    # Rows as REST gives them: only the editor's own articles, the key of the unreadable author.
    rest = editor_api.get(schema_url("items/articles"), {"fields": "id,title,author,comments.text"}).json()["data"]
    answer = data_of(gql("{ articles { data { id title author comments { text } } } }", client=editor_api))
    assert as_rest(answer["articles"]["data"]) == rest and [item["id"] for item in rest] == ids[:2]

    # What is hidden cannot be asked for.
    for query in (
        "{ articles { data { body } } }",
        "{ authors { data { name } } }",
        '{ articles(filter: {body_contains: "secret"}) { data { id } } }',
        '{ articles(filter: {author: {name_eq: "Ada"}}) { data { id } } }',
    ):
        assert graphql_error(gql(query, client=editor_api), 400)["message"].startswith(("Cannot query", "Field "))

    # Writes are checked by the same guard: creating is denied, nothing is written.
    response = gql('mutation { create_articles_item(data: {title: "x"}) { id } }', client=editor_api)
    assert graphql_error(response, 200, 301)["path"] == ["create_articles_item"]
    assert project_schema().model("articles").objects.count() == 4


def test_the_public_role_and_bad_tokens(blog, gql, schema_admin_api, schema_url):
    public = APIClient()
    # The caller is refused before GraphQL runs: the REST error envelope, as Directus 8 answered.
    for client, status, code in ((public, 401, 3), (client_with_token("nobody"), 401, 101)):
        response = gql("{ tags { data { name } } }", client=client)
        assert response.status_code == status
        assert response.json() == {"error": {"code": code, "message": response.json()["error"]["message"]}}

    schema_admin_api.post(schema_url("items/tags"), {"name": "open"}, format="json")
    grant(PUBLIC_ROLE_ID, "tags", read="full")
    assert data_of(gql("{ tags { data { name } } }", client=public)) == {"tags": {"data": [{"name": "open"}]}}
    assert graphql_error(gql("{ articles { data { id } } }", client=public), 400)["message"].startswith("Cannot query")
    response = gql('mutation { create_tags_item(data: {name: "x"}) { id } }', client=public)
    graphql_error(response, 200, 301)  # the public role's denied writes answer 301, as in REST
