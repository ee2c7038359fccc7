"""Items through HTTP: reads, writes, nested relational writes, batches, activity and revisions."""

from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.activity.models import Activity
from apps.revisions.models import Revision
from apps.schema.cache import project_schema
from tests.helpers import error_of


def post(api, url, path, body):
    return api.post(url(path), body, format="json")


def rows(collection: str) -> list[dict]:
    model = project_schema().model(collection)
    return list(model.objects.order_by("pk").values())


def test_create_read_update_delete(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    response = post(api, url, "items/authors", {"name": "Ada", "email": "ada@example.com"})
    assert response.status_code == 200, response.content
    author = response.json()["data"]
    assert author == {"id": author["id"], "name": "Ada", "email": "ada@example.com"}

    response = post(api, url, "items/articles", {"title": "Hello", "author": author["id"], "rating": 3})
    assert response.status_code == 200, response.content
    article = response.json()["data"]
    assert article["status"] == "draft" and article["owner"] == 1 and article["author"] == author["id"]
    assert article["created_on"].endswith("+00:00")

    response = api.get(url(f"items/articles/{article['id']}"), {"fields": "id,title,author.name"})
    assert response.json()["data"] == {"id": article["id"], "title": "Hello", "author": {"name": "Ada"}}

    response = api.patch(url(f"items/articles/{article['id']}"), {"title": "Hello again"}, format="json")
    assert response.status_code == 200 and response.json()["data"]["title"] == "Hello again"

    actions = list(Activity.objects.filter(collection="articles").order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update"]
    revision = Revision.objects.filter(collection="articles").order_by("-id").first()
    assert revision.delta == {"title": "Hello again"} and revision.data["title"] == "Hello again"

    assert api.delete(url(f"items/articles/{article['id']}")).status_code == 204
    assert error_of(api.get(url(f"items/articles/{article['id']}"))) == (404, 203)
    assert Activity.objects.filter(collection="articles", action="delete").count() == 1


def test_nested_writes_in_one_request(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    post(api, url, "items/tags", {"name": "old"})
    body = {
        "title": "Nested",
        "author": {"name": "Grace"},
        "comments": [{"text": "first"}, {"text": "second"}],
        "tags": [{"tag": 1}, {"tag": {"name": "new"}}],
    }
    response = post(api, url, "items/articles", body)
    assert response.status_code == 200, response.content
    article_id = response.json()["data"]["id"]

    response = api.get(url(f"items/articles/{article_id}"), {"fields": "title,author.name,comments.text,tags.tag.name"})
    data = response.json()["data"]
    assert data["author"] == {"name": "Grace"}
    assert [c["text"] for c in data["comments"]] == ["first", "second"]
    assert sorted(t["tag"]["name"] for t in data["tags"]) == ["new", "old"]

    comment_ids = [row["id"] for row in rows("comments")]
    patch = {"comments": [{"id": comment_ids[0], "$delete": True}, {"id": comment_ids[1], "text": "edited"}]}
    assert api.patch(url(f"items/articles/{article_id}"), patch, format="json").status_code == 200
    assert [(row["text"], row["article"]) for row in rows("comments")] == [("edited", article_id)]
    child = Revision.objects.filter(collection="comments").order_by("-id").first()
    assert child.parent_collection == "articles" and child.parent_item == str(article_id)


def test_a_failing_batch_writes_nothing(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    before = Activity.objects.count()
    response = post(api, url, "items/authors", [{"name": "One"}, {"name": "Two"}, {"nope": "x"}])
    assert error_of(response) == (422, 12)
    assert rows("authors") == []
    assert Activity.objects.count() == before

    response = post(api, url, "items/articles", {"title": "T", "author": {"name": None}})
    assert response.status_code == 422
    assert rows("articles") == [] and rows("authors") == []


def test_batch_forms(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    response = post(api, url, "items/authors", [{"name": "A"}, {"name": "B"}, {"name": "C"}])
    assert [a["name"] for a in response.json()["data"]] == ["A", "B", "C"]
    ids = [a["id"] for a in response.json()["data"]]
    response = api.get(url(f"items/authors/{ids[0]},{ids[2]}"))
    assert [a["name"] for a in response.json()["data"]] == ["A", "C"]
    response = api.patch(url(f"items/authors/{ids[0]},{ids[1]}"), {"email": "x@example.com"}, format="json")
    assert [a["email"] for a in response.json()["data"]] == ["x@example.com", "x@example.com"]
    response = api.patch(url("items/authors"), [{"id": ids[2], "name": "C2"}], format="json")
    assert response.json()["data"][0]["name"] == "C2"
    response = api.patch(url("items/authors"), [{"name": "no key"}], format="json")
    assert error_of(response) == (422, 12)
    assert api.delete(url(f"items/authors/{ids[0]},{ids[1]}")).status_code == 204
    assert [row["name"] for row in rows("authors")] == ["C2"]


def test_bad_input(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    assert error_of(api.get(url("items/directus_users"))) == (401, 201)
    assert error_of(api.get(url("items/nothing"))) == (404, 200)
    response = post(api, url, "items/articles", {"body": "no title"})
    assert error_of(response) == (422, 4)
    response = post(api, url, "items/articles", {"title": "x" * 101})
    assert error_of(response) == (422, 12)
    response = post(api, url, "items/articles", {"title": "t", "rating": "many"})
    assert error_of(response) == (422, 4)
    response = post(api, url, "items/articles", {"title": ["a"]})
    assert error_of(response) == (422, 213)
    response = api.post(url("items/articles"), "not json", content_type="application/json")
    assert error_of(response) == (400, 13)
    assert error_of(api.get(url("items/articles/999"))) == (404, 203)
    assert error_of(api.patch(url("items/articles/999"), {"title": "x"}, format="json")) == (404, 203)
    assert rows("articles") == []


def test_the_public_role_reads_and_writes_nothing(blog, schema_admin_api, schema_url):
    from rest_framework.test import APIClient

    pk = post(schema_admin_api, schema_url, "items/articles", {"title": "Hidden"}).json()["data"]["id"]
    public = APIClient()
    assert error_of(public.get(schema_url("items/articles"))) == (401, 3)
    # One item of a collection it cannot read looks missing; several ids are a read denial.
    assert error_of(public.get(schema_url(f"items/articles/{pk}"))) == (404, 203)
    assert error_of(public.get(schema_url("items/articles/999"))) == (404, 203)
    assert error_of(public.get(schema_url(f"items/articles/{pk},999"))) == (401, 3)
    # Writes answer their own codes, as for any role.
    assert error_of(public.post(schema_url("items/articles"), {"title": "x"}, format="json")) == (403, 301)
    upload = {"data": "aGk=", "filename_disk": "a.txt", "filename_download": "a.txt"}
    assert error_of(public.post(schema_url("files"), upload, format="json")) == (403, 301)
    assert [row["title"] for row in rows("articles")] == ["Hidden"]


def test_soft_delete_hides_items_and_is_logged(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    article = post(api, url, "items/articles", {"title": "Gone soon", "status": "published"}).json()["data"]
    response = api.patch(url(f"items/articles/{article['id']}"), {"status": "deleted"}, format="json")
    assert response.status_code == 204 and response.content == b""  # no longer readable, as GET says
    assert Activity.objects.filter(collection="articles").order_by("-id").first().action == "soft-delete"
    assert api.get(url("items/articles")).json()["data"] == []
    assert api.get(url(f"items/articles/{article['id']}")).status_code == 404
    assert len(api.get(url("items/articles"), {"status": "*"}).json()["data"]) == 1


def test_revisions_and_revert(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    article = post(api, url, "items/articles", {"title": "First"}).json()["data"]
    api.patch(url(f"items/articles/{article['id']}"), {"title": "Second"}, format="json")
    response = api.get(url(f"items/articles/{article['id']}/revisions"))
    revisions = response.json()["data"]
    assert [r["data"]["title"] for r in revisions] == ["First", "Second"]
    assert api.get(url(f"items/articles/{article['id']}/revisions/0")).json()["data"]["data"]["title"] == "First"
    assert error_of(api.get(url(f"items/articles/{article['id']}/revisions/x"))) == (422, 4)

    response = api.patch(url(f"items/articles/{article['id']}/revert/{revisions[0]['id']}"))
    assert response.status_code == 200 and response.json()["data"]["title"] == "First"
    assert Activity.objects.filter(collection="articles").order_by("-id").first().action == "revert"
    assert error_of(api.patch(url(f"items/articles/{article['id']}/revert/999999"))) == (404, 207)


def test_activity_skip_and_comment(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    before = Activity.objects.count()
    api.post(url("items/tags") + "?activity_skip=1", {"name": "quiet"}, format="json")
    assert Activity.objects.count() == before and not Revision.objects.filter(collection="tags").exists()
    api.post(url("items/tags") + "?comment=because", {"name": "loud"}, format="json")
    assert Activity.objects.order_by("-id").first().comment == "because"


def test_nested_reads_cost_one_statement_per_level(blog, schema_admin_api, schema_url, schema_project):
    api, url = schema_admin_api, schema_url
    authors = post(api, url, "items/authors", [{"name": f"A{i}"} for i in range(10)]).json()["data"]
    articles = [
        {
            "title": f"T{i}",
            "author": authors[i % 10]["id"],
            "comments": [{"text": "c"}],
            "tags": [{"tag": {"name": f"t{i}"}}],
        }
        for i in range(100)
    ]
    assert post(api, url, "items/articles?activity_skip=1", articles).status_code == 200
    project_schema()  # warm the schema cache
    connection = connections[schema_project.alias]

    def statements(limit: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url("items/articles"), {"fields": "*.*.*", "limit": limit})
        assert response.status_code == 200
        data = response.json()["data"]
        assert len(data) == limit and data[0]["author"]["name"] == "A0"
        assert data[0]["tags"][0]["tag"]["name"] == "t0"
        assert data[0]["comments"][0]["article"]["title"] == "T0"
        return len(queries)

    # The same statements for 5 rows as for 100: one per relation level, never one per row.
    statements(5)  # warm the worker's caches
    assert statements(5) == statements(100)
    assert statements(100) <= 20


def test_duplicate_keys_are_409_code_204_and_nothing_is_written(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    assert post(api, url, "items/tags", {"id": 5, "name": "five"}).status_code == 200
    response = post(api, url, "items/tags", [{"name": "fresh"}, {"id": 5, "name": "again"}])
    assert error_of(response) == (409, 204)
    assert [row["name"] for row in rows("tags")] == ["five"]
    # The project keeps serving after the failed transaction, and generated keys skip 5.
    created = post(api, url, "items/tags", [{"name": f"n{i}"} for i in range(6)]).json()["data"]
    assert 5 not in [tag["id"] for tag in created]


def test_lists_take_the_query_language(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    authors = post(api, url, "items/authors", [{"name": "Ada"}, {"name": "Bob"}]).json()["data"]
    articles = [
        {"title": "alpha", "status": "published", "rating": 5, "author": authors[0]["id"]},
        {"title": "beta", "status": "draft", "rating": 3, "author": authors[1]["id"]},
        {"title": "gamma", "status": "published", "rating": None, "author": authors[1]["id"]},
        {"title": "delta", "status": "deleted", "rating": 1, "author": authors[0]["id"]},
    ]
    post(api, url, "items/articles", articles)

    def titles(**params):
        response = api.get(url("items/articles"), {"fields": "title", **params})
        assert response.status_code == 200, response.content
        return [item["title"] for item in response.json()["data"]]

    assert titles(sort="title") == ["alpha", "beta", "gamma"]
    assert titles(**{"filter[status][eq]": "published", "sort": "-title"}) == ["gamma", "alpha"]
    assert titles(**{"filter[author.name][eq]": "Bob", "sort": "title"}) == ["beta", "gamma"]
    assert titles(**{"filter[rating][gte]": "3", "sort": "-rating"}) == ["alpha", "beta"]
    assert titles(q="amm") == ["gamma"]
    assert titles(status="*", sort="title") == ["alpha", "beta", "delta", "gamma"]
    assert titles(sort="title", limit=1, page=2) == ["beta"]
    assert titles(**{"filter[title][in]": "alpha,delta"}) == ["alpha"]

    body = api.get(url("items/articles"), {"meta": "*", "limit": 1, "filter[status][eq]": "published"}).json()
    assert body["meta"]["total_count"] == 3 and body["meta"]["filter_count"] == 2 and body["meta"]["page_count"] == 2
    assert body["meta"]["status_count"] == {"published": 2, "draft": 1, "deleted": 1}
    single = api.get(url("items/articles"), {"single": 1, "sort": "title", "fields": "title"}).json()["data"]
    assert single == {"title": "alpha"}

    for params, code in [
        ({"filter[nope][eq]": "1"}, 202),
        ({"filter[title][bogus]": "1"}, 214),
        ({"sort": "nope"}, 202),
        ({"fields": "nope"}, 202),
        ({"limit": "ten"}, 4),
        ({"filter[rating][eq]": "high"}, 4),
        ({"filter[title][has]": "1"}, 12),
    ]:
        response = api.get(url("items/articles"), params)
        assert error_of(response)[1] == code, (params, response.content)


def test_lang_keeps_the_translations_asked_for(blog, schema_admin_api, schema_url):
    from apps.schema import services
    from tests.blog import ID, admin_identity

    admin = admin_identity()
    services.add_field("articles", {"field": "translations", "type": "translation"}, admin)
    services.create_collection(
        {
            "collection": "articles_translations",
            "fields": [
                ID,
                {"field": "article", "type": "m2o", "datatype": "INT"},
                {"field": "language", "type": "lang", "datatype": "VARCHAR", "length": 8},
                {"field": "headline", "type": "string", "datatype": "VARCHAR", "length": 100},
            ],
        },
        admin,
    )
    services.create_relations(
        [
            {
                "collection_many": "articles_translations",
                "field_many": "article",
                "collection_one": "articles",
                "field_one": "translations",
            }
        ],
        admin,
    )
    api, url = schema_admin_api, schema_url
    body = {
        "title": "Hi",
        "translations": [{"language": "en-US", "headline": "Hi"}, {"language": "nl-NL", "headline": "Hoi"}],
    }
    article = post(api, url, "items/articles", body).json()["data"]

    def headlines(lang=None):
        params = {"fields": "translations.headline"} | ({"lang": lang} if lang else {})
        response = api.get(url(f"items/articles/{article['id']}"), params)
        return sorted(t["headline"] for t in response.json()["data"]["translations"])

    assert headlines() == ["Hi", "Hoi"]
    assert headlines("*") == ["Hi", "Hoi"]
    assert headlines("nl-NL") == ["Hoi"]
    assert headlines("en-US,nl-NL") == ["Hi", "Hoi"]
