"""GraphQL mutations write through the same ItemWriter as REST: the same rows, activity,
revisions and validation, one transaction per request."""

from apps.activity.models import Activity
from apps.revisions.models import Revision
from apps.schema.cache import project_schema
from tests.graphql.conftest import as_rest, data_of
from tests.helpers import graphql_error

ITEM = "{ id name email }"


def rows(collection: str) -> list[dict]:
    return list(project_schema().model(collection).objects.order_by("pk").values())


def log_between(first: int, last: int) -> list[tuple]:
    """What activity and revisions recorded, without ids and times (they differ run to run)."""
    entries = []
    for row in Activity.objects.filter(id__gt=first, id__lte=last).order_by("id"):
        revision = Revision.objects.filter(activity=row.id).first()
        varying = {"author", "article", "created_on"}
        delta = None if revision is None else {k: v for k, v in revision.delta.items() if k not in varying}
        parent = None if revision is None else revision.parent_collection
        entries.append((row.action, row.collection, row.comment, delta, parent))
    return entries


def last_activity() -> int:
    row = Activity.objects.order_by("-id").first()
    return row.id if row else 0


def through_rest(api, url) -> list:
    answers = []
    author = api.post(url("items/authors"), {"name": "Ann"}, format="json").json()["data"]
    answers.append(author)
    patch = api.patch(
        url(f"items/authors/{author['id']}") + "?comment=why", {"email": "ann@example.com"}, format="json"
    )
    answers.append(patch.json()["data"])
    body = {"title": "T", "author": author["id"], "comments": [{"text": "c1"}, {"text": "c2"}]}
    article = api.post(url("items/articles"), body, format="json").json()["data"]
    tags = api.post(url("items/tags"), [{"name": "x"}, {"name": "y"}], format="json").json()["data"]
    answers.append(tags)
    answers.append(api.patch(url("items/tags"), [{"id": tags[0]["id"], "name": "x2"}], format="json").json()["data"])
    assert api.delete(url(f"items/articles/{article['id']}")).status_code == 204
    assert api.delete(url(f"items/tags/{tags[0]['id']},{tags[1]['id']}")).status_code == 204
    return answers


def through_graphql(gql) -> list:
    answers = []
    author = data_of(gql('mutation { create_authors_item(data: {name: "Ann"}) ' + ITEM + " }"))
    author = as_rest(author["create_authors_item"])
    answers.append(author)
    query = 'mutation($id: Int!) { update_authors_item(id: $id, data: {email: "ann@example.com"}, comment: "why") '
    answers.append(as_rest(data_of(gql(query + ITEM + " }", {"id": author["id"]}))["update_authors_item"]))
    query = "mutation($data: JSON!) { create_articles_item(data: $data) { id } }"
    body = {"title": "T", "author": author["id"], "comments": [{"text": "c1"}, {"text": "c2"}]}
    article = data_of(gql(query, {"data": body}))["create_articles_item"]
    tags = data_of(gql('mutation { create_tags_items(data: [{name: "x"}, {name: "y"}]) { id name } }'))
    tags = as_rest(tags["create_tags_items"])
    answers.append(tags)
    query = "mutation($data: [JSON!]!) { update_tags_items(data: $data) { id name } }"
    answers.append(as_rest(data_of(gql(query, {"data": [{"id": tags[0]["id"], "name": "x2"}]}))["update_tags_items"]))
    deleted = data_of(gql("mutation($id: Int!) { delete_articles_item(id: $id) }", {"id": int(article["id"])}))
    assert deleted == {"delete_articles_item": article["id"]}
    query = "mutation($ids: [Int!]!) { delete_tags_items(ids: $ids) }"
    deleted = data_of(gql(query, {"ids": [tags[0]["id"], tags[1]["id"]]}))["delete_tags_items"]
    assert deleted == [str(tags[0]["id"]), str(tags[1]["id"])]
    return answers


def without_ids(answers: list) -> list:
    def strip(value):
        if isinstance(value, list):
            return [strip(item) for item in value]
        return {key: item for key, item in value.items() if key != "id"}

    return [strip(answer) for answer in answers]


def test_writes_answer_and_log_like_rest(blog, gql, schema_admin_api, schema_url):
    start = last_activity()
    rest_answers = through_rest(schema_admin_api, schema_url)
    middle = last_activity()
    graphql_answers = through_graphql(gql)
    assert without_ids(graphql_answers) == without_ids(rest_answers)
    rest_log, graphql_log = log_between(start, middle), log_between(middle, last_activity())
    assert graphql_log == rest_log
    assert [entry[0] for entry in rest_log] == [
        "create", "update", "create", "create", "create", "create", "create", "update", "delete", "delete", "delete",
    ]  # fmt: skip
    assert rest_log[1][2] == "why" and rest_log[3][4] == "articles"  # comment; nested comment's parent
    assert rows("articles") == [] and [row["name"] for row in rows("authors")] == ["Ann", "Ann"]


def test_nested_writes_and_read_back(blog, gql):
    data_of(gql('mutation { create_tags_item(data: {name: "old"}) { id } }'))
    body = {
        "title": "Nested",
        "author": {"name": "Grace"},
        "comments": [{"text": "first"}],
        "tags": [{"tag": 1}, {"tag": {"name": "new"}}],
    }
    query = """mutation($d: JSON!) { create_articles_item(data: $d) {
        title status author { name } comments { text } tags { tag { name } } } }"""
    item = data_of(gql(query, {"d": body}))["create_articles_item"]
    assert item == {
        "title": "Nested",
        "status": "draft",
        "author": {"name": "Grace"},
        "comments": [{"text": "first"}],
        "tags": [{"tag": {"name": "old"}}, {"tag": {"name": "new"}}],
    }


def test_a_failing_mutation_writes_nothing(blog, gql):
    before = Activity.objects.count()
    response = gql('mutation { create_authors_items(data: [{name: "One"}, {nope: "x"}]) { id } }')
    error = graphql_error(response, 200, 12)
    assert error["path"] == ["create_authors_items"] and response.json()["data"] is None
    assert rows("authors") == [] and Activity.objects.count() == before

    # Two mutations in one request: the second fails, the first is undone too.
    response = gql(
        'mutation { a: create_authors_item(data: {name: "Kept?"}) { id } b: create_articles_item(data: {}) { id } }'
    )
    assert graphql_error(response, 200, 4)["path"] == ["b"] and response.json()["data"] is None
    assert rows("authors") == [] and rows("articles") == [] and Activity.objects.count() == before

    graphql_error(gql('mutation { update_authors_item(id: 999, data: {name: "x"}) { id } }'), 200, 203)
    graphql_error(gql('mutation { create_articles_item(data: {title: "x", rating: "many"}) { id } }'), 200, 4)
    graphql_error(gql("mutation { create_authors_items(data: []) { id } }"), 200, 13)

    # activity_skip, and mutations are refused over GET.
    data_of(gql('mutation { create_tags_item(data: {name: "quiet"}, activity_skip: true) { id } }'))
    assert Activity.objects.count() == before and [row["name"] for row in rows("tags")] == ["quiet"]


def test_mutations_need_post(blog, schema_admin_api, schema_url):
    response = schema_admin_api.get(
        schema_url("gql"), {"query": 'mutation { create_tags_item(data: {name: "x"}) { id } }'}
    )
    graphql_error(response, 405, 6)
    assert rows("tags") == []
