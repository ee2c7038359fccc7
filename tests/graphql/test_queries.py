"""GraphQL reads answer what REST answers: the same rows, filters, sorting, paging, meta and nested
relations, through the same item engine."""

from apps.files.models import File
from apps.items import querying
from apps.schema import services
from tests.api.users.factories import make_file
from tests.blog import ID, admin_identity
from tests.graphql.conftest import as_rest, data_of
from tests.helpers import graphql_error

ARTICLES = [
    {"title": "Alpha", "rating": 1, "status": "published", "comments": [{"text": "a1"}], "tags": [{"tag": 1}]},
    {"title": "Bravo", "rating": 3, "status": "published", "comments": [{"text": "b1"}, {"text": "b2"}]},
    {"title": "Charlie", "rating": 3, "status": "draft", "tags": [{"tag": 1}, {"tag": 2}]},
    {"title": "Delta", "rating": 5, "status": "published", "body": "hello world"},
    {"title": "Echo", "rating": None, "status": "deleted"},
]


def seed(api, url) -> list[dict]:
    authors = api.post(url("items/authors"), [{"name": "Ada"}, {"name": "Grace"}], format="json").json()["data"]
    api.post(url("items/tags"), [{"name": "news"}, {"name": "tech"}], format="json")
    body = [{**article, "author": authors[index % 2]["id"]} for index, article in enumerate(ARTICLES)]
    response = api.post(url("items/articles"), body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]


# REST list parameters and the GraphQL arguments meaning the same.
CASES = [
    (
        {"filter[rating][gte]": "2", "sort": "-rating,title", "limit": "2", "offset": "1"},
        'filter: {rating_gte: 2}, sort: "-rating,title", limit: 2, offset: 1',
    ),
    ({"filter[title][contains]": "LT"}, 'filter: {title_contains: "LT"}'),
    ({"filter[rating][in]": "1,5"}, 'filter: {rating_in: "1,5"}'),
    ({"filter[rating][null]": "", "status": "*"}, 'filter: {rating_null: true}, status: "*"'),
    ({"filter[author.name][eq]": "Ada"}, 'filter: {author: {name_eq: "Ada"}}'),
    ({"filter[comments.text][eq]": "b2"}, 'filter: {comments: {text_eq: "b2"}}'),
    ({"filter[comments][has]": "2"}, "filter: {comments_has: 2}"),
    ({"filter[tags.tag.name][eq]": "tech"}, 'filter: {tags: {tag: {name_eq: "tech"}}}'),
    (
        {"filter[rating][eq]": "1", "filter[title][logical]": "or", "filter[title][eq]": "Delta"},
        'filter: {or: [{rating_eq: 1}, {title_eq: "Delta"}]}',
    ),
    ({"status": "*", "sort": "-id"}, 'status: "*", sort: "-id"'),
    ({"status": "draft,deleted"}, 'status: "draft,deleted"'),
    ({"limit": "2", "page": "2"}, "limit: 2, page: 2"),
    ({"q": "rav"}, 'q: "rav"'),
]


def test_lists_answer_like_rest(blog, gql, schema_admin_api, schema_url):
    seed(schema_admin_api, schema_url)
    for params, arguments in CASES:
        rest = schema_admin_api.get(
            schema_url("items/articles"), {**params, "fields": "id,title,rating,status", "meta": "*"}
        ).json()
        query = f"""{{ articles({arguments}) {{
            data {{ id title rating status }}
            meta {{ collection type result_count total_count filter_count }} }} }}"""
        answer = data_of(gql(query))["articles"]
        assert as_rest(answer["data"]) == rest["data"], (params, answer, rest)
        assert answer["meta"] == {key: rest["meta"][key] for key in answer["meta"]}, params


def test_nested_relations_answer_like_rest(blog, gql, schema_admin_api, schema_url):
    seed(schema_admin_api, schema_url)
    fields = "id,title,author.id,author.name,comments.id,comments.text,tags.id,tags.tag.name,author.articles.title"
    rest = schema_admin_api.get(schema_url("items/articles"), {"fields": fields, "status": "*"}).json()["data"]
    query = """
        fragment Tagged on ArticlesItem { tags { id tag { name } } }
        { articles(status: "*") { data {
            id title
            author { id name articles { title } }
            comments { id text }
            ...Tagged
        } } }"""
    assert as_rest(data_of(gql(query))["articles"]["data"]) == rest
    assert rest[0]["tags"][0]["tag"] == {"name": "news"} and len(rest[1]["comments"]) == 2

    # Aliases of one relation are read once, each with its own selection.
    query = (
        "query($id: Int) { articles(id: $id) { data { a: author { name } b: author { id } tags { tag { name } } } } }"
    )
    item = data_of(gql(query, {"id": rest[2]["id"]}))["articles"]["data"][0]
    assert item["a"] == {"name": "Ada"} and set(item["b"]) == {"id"}
    assert [tag["tag"]["name"] for tag in item["tags"]] == ["news", "tech"]


def test_id_argument_system_collections_get_and_errors(blog, gql, schema_admin_api, schema_url):
    articles = seed(schema_admin_api, schema_url)
    by_id = "query($id: Int) { articles(id: $id) { data { title } meta { result_count } } }"
    answer = data_of(gql(by_id, {"id": articles[1]["id"]}))
    assert answer["articles"] == {"data": [{"title": "Bravo"}], "meta": {"result_count": 1}}
    # The soft-deleted item is hidden, as REST hides it.
    assert data_of(gql(by_id, {"id": articles[4]["id"]}))["articles"] == {"data": [], "meta": {"result_count": 0}}

    users = data_of(
        gql('{ directus_users(filter: {email_eq: "admin@example.com"}) { data { id email role { id } } } }')
    )
    assert as_rest(users["directus_users"]["data"]) == [{"id": 1, "email": "admin@example.com", "role": {"id": 1}}]
    user_fields = data_of(gql('{ __type(name: "DirectusUserItem") { fields { name } } }'))["__type"]["fields"]
    assert "password" not in {field["name"] for field in user_fields}
    collections = data_of(gql('{ directus_collections(name: "articles") { data { collection } } }'))
    assert collections["directus_collections"]["data"] == [{"collection": "articles"}]

    response = schema_admin_api.get(schema_url("gql"), {"query": '{ tags(sort: "-name") { data { name } } }'})
    assert data_of(response)["tags"]["data"] == [{"name": "tech"}, {"name": "news"}]

    # Errors of the item engine keep their Directus code; other fields still answer.
    response = gql('{ articles(sort: "nope") { data { id } } tags { meta { total_count } } }')
    error = graphql_error(response, 200, 202)
    assert error["path"] == ["articles"] and error["message"] == 'Invalid field "nope" in "articles"'
    assert response.json()["data"] == {"articles": None, "tags": {"meta": {"total_count": 2}}}
    graphql_error(gql("{ articles(limit: -2) { data { id } } }"), 200, 4)
    graphql_error(gql('{ articles(filter: {rating_in: "1,x"}) { data { id } } }'), 200, 4)
    assert (
        "Traceback" not in gql('{ articles(filter: {created_on_gt: "not a date"}) { data { id } } }').content.decode()
    )

    # Documents that do not validate are refused whole: 400, no data.
    response = gql("{ articles { data { nope } } }")
    assert graphql_error(response, 400)["message"].startswith("Cannot query field 'nope'")
    assert "data" not in response.json()
    graphql_error(gql("{ articles { "), 400)
    response = schema_admin_api.post(schema_url("gql"), "not json", content_type="application/json")
    assert graphql_error(response, 400, 13)


def test_file_and_user_relations_answer_like_rest(blog, gql, schema_admin_api, schema_url):
    services.create_collection(
        {
            "collection": "photos",
            "fields": [
                ID,
                {"field": "image", "type": "file", "datatype": "INT"},
                {"field": "owner", "type": "owner", "datatype": "INT"},
            ],
        },
        admin_identity(),
    )
    file = make_file(title="Logo")
    try:
        body = [{"image": file.pk}, {"image": None}]
        assert schema_admin_api.post(schema_url("items/photos"), body, format="json").status_code == 200
        fields = "id,image.id,image.title,image.filename_download,image.data,owner.email"
        rest = schema_admin_api.get(schema_url("items/photos"), {"fields": fields}).json()["data"]
        query = "{ photos { data { id image { id title filename_download data } owner { email } } } }"
        assert as_rest(data_of(gql(query))["photos"]["data"]) == rest
        assert rest[0]["image"]["title"] == "Logo" and rest[0]["owner"] == {"email": "admin@example.com"}
        assert rest[1]["image"] is None
    finally:
        File.objects.filter(pk=file.pk).delete()


def test_unexpected_errors_leave_no_details(blog, gql, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError('SELECT "password" FROM "directus_users"')

    monkeypatch.setattr(querying, "apply_sort", broken)
    response = gql("{ articles { data { id } } }")
    assert graphql_error(response, 200, 0) == {
        "message": "Internal Server Error",
        "locations": [{"line": 1, "column": 3}],
        "path": ["articles"],
        "extensions": {"code": 0},
    }
    assert "password" not in response.content.decode()
