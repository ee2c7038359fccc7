"""Items out and in: `GET /:project/utils/export/:collection` and `POST /utils/import/:collection`,
under the item routes' permissions, on the blog schema (tests/blog.py)."""

import contextvars
import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.activity.models import Activity
from apps.items import listing, paging
from apps.permissions.models import Permission
from apps.revisions.models import Revision
from apps.roles.models import Role
from apps.schema.cache import project_schema
from apps.users.models import User
from tests.api.users.factories import client_with_token, grant, make_user
from tests.helpers import assert_error

READER_TOKEN = "export-reader-token"


# Helpers ------------------------------------------------------------------------------------


def streamed(response) -> bytes:
    """The body of a streamed answer, read as a WSGI server reads it: after the view returned,
    outside the request's project and memo (a fresh context has neither)."""
    assert response.status_code == 200, response.content if not response.streaming else response.status_code
    assert response.streaming
    return contextvars.Context().run(lambda: b"".join(response.streaming_content))


def export_json(api, url, collection: str, **params) -> list:
    return json.loads(streamed(api.get(url(f"utils/export/{collection}"), params)))


def export_csv(api, url, collection: str, **params) -> list[list[str]]:
    response = api.get(url(f"utils/export/{collection}"), {**params, "format": "csv"})
    text = streamed(response).decode()
    return list(csv.reader(io.StringIO(text, newline="")))


def listed(api, url, collection: str, **params) -> list:
    response = api.get(url(f"items/{collection}"), {**params, "limit": -1})
    assert response.status_code == 200, response.content
    return response.json()["data"]


def create(api, url, collection: str, items: list) -> list:
    response = api.post(url(f"items/{collection}"), items, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def table(collection: str) -> list[dict]:
    return list(project_schema().model(collection).objects.order_by("pk").values())


def audit_rows(collection: str) -> tuple[int, int]:
    return (
        Activity.objects.filter(collection=collection, action="create").count(),
        Revision.objects.filter(collection=collection).count(),
    )


def import_json(api, url, collection: str, items):
    return api.post(url(f"utils/import/{collection}"), items, format="json")


def import_csv(api, url, collection: str, text: str):
    return api.post(url(f"utils/import/{collection}"), text.encode(), content_type="text/csv")


def import_file(api, url, collection: str, name: str, content: bytes, content_type: str):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return api.post(url(f"utils/import/{collection}"), {"file": upload}, format="multipart")


@pytest.fixture
def articles(blog, schema_admin_api, schema_url):
    """Two authors; five articles, published and draft, one soft-deleted; comments on one."""
    api, url = schema_admin_api, schema_url
    ann, bob = create(api, url, "authors", [{"name": "Ann"}, {"name": "Bob"}])
    rows = [
        {"title": "Alpha", "status": "published", "rating": 3, "author": ann["id"], "body": 'a, "quoted"\nline'},
        {"title": "Beta", "status": "draft", "rating": 5, "author": bob["id"], "body": "b"},
        {"title": "Gamma", "status": "published", "rating": None, "author": None, "body": "ü €"},
        {"title": "Delta", "status": "published", "rating": 1, "author": bob["id"], "body": "d"},
        {"title": "Gone", "status": "deleted", "rating": 9, "author": ann["id"], "body": "g"},
    ]
    created = create(api, url, "articles", rows)
    create(api, url, "comments", [{"text": "first", "article": created[0]["id"]}, {"text": "second"}])
    return created


@pytest.fixture
def reader(blog):
    """A role that reads published articles only, without their body, and every author."""
    role = Role.objects.create(name="Export reader")
    user = make_user("export-reader@example.com", role=role.pk, token=READER_TOKEN)
    grant(role.pk, "articles", "published", read="full", read_field_blacklist=["body"])
    grant(role.pk, "articles", "draft", read="none")
    grant(role.pk, "authors", read="full")
    yield role
    Permission.objects.filter(role=role.pk).delete()
    User.objects.filter(pk=user.pk).delete()
    Role.objects.filter(pk=role.pk).delete()


# Export ---------------------------------------------------------------------------------------


def test_json_export_is_every_item_as_the_list_route_reads_it(articles, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    response = api.get(url("utils/export/articles"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="articles.json"'
    exported = json.loads(streamed(response))
    assert exported == listed(api, url, "articles")
    assert [item["title"] for item in exported] == ["Alpha", "Beta", "Gamma", "Delta"]  # soft-deleted left out

    query = {"fields": "id,title,author.name,comments.text", "filter[rating][gte]": 2, "sort": "-rating"}
    exported = export_json(api, url, "articles", **query)
    assert exported == listed(api, url, "articles", **query)
    assert exported[0] == {"id": articles[1]["id"], "title": "Beta", "author": {"name": "Bob"}, "comments": []}
    assert exported[1]["comments"] == [{"text": "first"}]
    assert [item["title"] for item in export_json(api, url, "articles", status="*", q="gon")] == ["Gone"]
    assert export_json(api, url, "articles", **{"filter[title][eq]": "nothing"}) == []


def test_csv_export_writes_the_selected_fields_one_row_per_item(articles, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    response = api.get(url("utils/export/articles"), {"format": "csv", "fields": "title,body,rating,author.name"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="articles.csv"'
    body = streamed(response)
    assert body.startswith(b"title,body,rating,author\r\n")
    rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
    assert rows == [
        ["title", "body", "rating", "author"],
        ["Alpha", 'a, "quoted"\nline', "3", '{"name":"Ann"}'],
        ["Beta", "b", "5", '{"name":"Bob"}'],
        ["Gamma", "ü €", "", ""],
        ["Delta", "d", "1", '{"name":"Bob"}'],
    ]
    # Arrays of related items are JSON in their cell too; no item leaves the header alone.
    rows = export_csv(api, url, "articles", fields="title,comments.text", sort="id")
    assert rows[1] == ["Alpha", '[{"text":"first"}]'] and rows[2] == ["Beta", "[]"]
    assert export_csv(api, url, "articles", fields="title", **{"filter[title][eq]": "nothing"}) == [["title"]]


def test_exports_hold_what_the_caller_may_read(articles, reader, schema_admin_api, schema_url):
    url = schema_url
    client = client_with_token(READER_TOKEN)
    exported = export_json(client, url, "articles")
    assert exported == listed(client, url, "articles")
    assert [item["title"] for item in exported] == ["Alpha", "Gamma", "Delta"]
    assert all("body" not in item for item in exported)
    assert export_csv(client, url, "articles", fields="*", sort="title")[0] == [
        "id", "status", "title", "rating", "author", "owner", "created_on"
    ]  # fmt: skip
    assert [row[0] for row in export_csv(client, url, "articles", fields="title", sort="title")] == [
        "title", "Alpha", "Delta", "Gamma"
    ]  # fmt: skip
    # Refused as the list route refuses, before anything is sent.
    assert_error(client.get(url("utils/export/articles"), {"fields": "title,body"}), 403, 304)
    assert_error(client.get(url("utils/export/articles"), {"filter[body][eq]": "b"}), 403, 304)
    assert_error(client.get(url("utils/export/comments")), 403, 300)
    assert_error(APIClient().get(url("utils/export/articles")), 401, 3)
    admin = schema_admin_api
    assert_error(admin.get(url("utils/export/nowhere")), 404, 200)
    assert_error(admin.get(url("utils/export/directus_users")), 401, 201)
    assert_error(admin.get(url("utils/export/articles"), {"format": "xml"}), 422, 4)
    assert_error(admin.get(url("utils/export/articles"), {"sort": "?"}), 422, 4)
    listed_error = admin.get(url("items/articles"), {"filter[nope][eq]": 1})
    exported_error = admin.get(url("utils/export/articles"), {"filter[nope][eq]": 1})
    assert not exported_error.streaming
    assert (exported_error.status_code, exported_error.json()) == (listed_error.status_code, listed_error.json())


@pytest.mark.parametrize(
    "query",
    [
        {},  # by key
        {"sort": "-id"},  # by key, descending
        {"fields": "title,rating"},  # by key, which is read along and left out
        {"sort": "rating,-title"},  # by offset (NULLs and ties)
        {"fields": "title,author.name", "sort": "-author,title"},
        {"filter[status][eq]": "published", "fields": "-id"},
    ],
)
def test_an_export_of_many_pages_is_complete_and_in_order(blog, schema_admin_api, schema_url, monkeypatch, query):
    api, url = schema_admin_api, schema_url
    authors = create(api, url, "authors", [{"name": "Ann"}, {"name": "Bob"}])
    items = [
        {
            "title": f"Article {index:02}",
            "rating": None if index % 4 == 0 else index % 3,
            "status": "published" if index % 2 else "draft",
            "author": authors[index % 2]["id"],
        }
        for index in range(17)
    ]
    create(api, url, "articles", items)
    pages = []
    read_page = listing.run_query
    monkeypatch.setattr(paging, "PAGE_SIZE", 3)
    monkeypatch.setattr(listing, "run_query", lambda *args, **kwargs: pages.append(1) or read_page(*args, **kwargs))
    expected = listed(api, url, "articles", **query)
    assert len(expected) in (17, 8)
    assert export_json(api, url, "articles", **query) == expected
    assert len(pages) == 1 + len(expected) // 3 + 1  # the list read, then every page and a last short one
    rows = export_csv(api, url, "articles", **query)
    assert len(rows) == len(expected) + 1
    assert [row[rows[0].index("title")] for row in rows[1:]] == [item["title"] for item in expected]


# Import ---------------------------------------------------------------------------------------


def test_a_json_import_creates_every_item_with_activity_and_revisions(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    author = create(api, url, "authors", [{"name": "Ann"}])[0]
    items = [
        {"title": "One", "rating": 4, "author": author["id"]},
        {"title": "Two", "status": "published", "comments": [{"text": "nested"}]},
    ]
    response = import_json(api, url, "articles", items)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["created"] == 2
    assert [row["title"] for row in table("articles")] == ["One", "Two"]
    assert data["keys"] == [row["id"] for row in table("articles")]
    assert [row["text"] for row in table("comments")] == ["nested"]
    assert audit_rows("articles") == (2, 2) and audit_rows("comments") == (1, 1)
    stored = listed(api, url, "articles", fields="title,status,rating,author,owner")
    assert stored == [
        {"title": "One", "status": "draft", "rating": 4, "author": author["id"], "owner": 1},
        {"title": "Two", "status": "published", "rating": None, "author": None, "owner": 1},
    ]


def test_csv_imports_take_a_body_or_a_file(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    author = create(api, url, "authors", [{"name": "Ann"}])[0]
    text = (
        "\ufefftitle,rating,author,body,comments\r\n"
        f'Body one,7,{author["id"]},"with, comma",\r\n'
        'Body two,,,,"[{""text"":""nested""}]"\r\n'
        "\r\n"
    )
    response = import_csv(api, url, "articles", text)
    assert response.status_code == 200, response.content
    assert response.json()["data"]["created"] == 2
    response = import_file(api, url, "articles", "more.csv", b"title,status\nFile one,published\n", "text/csv")
    assert response.status_code == 200, response.content
    file_json = json.dumps([{"title": "File two", "rating": "3"}]).encode()
    response = import_file(api, url, "articles", "more.json", file_json, "application/octet-stream")
    assert response.status_code == 200, response.content
    stored = listed(api, url, "articles", fields="title,rating,author,body,status,comments.text", sort="id")
    assert stored == [
        {
            "title": "Body one",
            "rating": 7,
            "author": author["id"],
            "body": "with, comma",
            "status": "draft",
            "comments": [],
        },
        {"title": "Body two", "rating": None, "author": None, "body": None, "status": "draft", "comments": [
            {"text": "nested"}
        ]},
        {"title": "File one", "rating": None, "author": None, "body": None, "status": "published", "comments": []},
        {"title": "File two", "rating": 3, "author": None, "body": None, "status": "draft", "comments": []},
    ]  # fmt: skip
    assert audit_rows("articles") == (4, 4)


def test_a_refused_row_refuses_the_import_and_names_every_refused_row(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    create(api, url, "articles", [{"title": "Kept"}])
    before, audit_before = table("articles"), audit_rows("articles")
    items = [
        {"title": "Fine"},
        {"title": "Wrong type", "rating": "many"},
        {"body": "no title"},
        {"title": "Fine too", "comments": [{"text": "nested"}]},
        {"title": "Unknown field", "colour": "red"},
        "not an object",
    ]
    response = import_json(api, url, "articles", items)
    assert_error(response, 422, 4)
    error = response.json()["error"]
    assert error["message"] == "4 rows were refused"
    assert [(row["row"], row["code"]) for row in error["rows"]] == [(2, 4), (3, 4), (5, 12), (6, 13)]
    assert error["rows"][0]["message"] == "rating: must be an integer"
    assert error["rows"][1]["message"] == "title: This value should not be blank."
    assert table("articles") == before and table("comments") == []
    assert audit_rows("articles") == audit_before and audit_rows("comments") == (0, 0)

    # A row the database refuses (a duplicate key), or whose nested item is refused after the
    # row itself was written, leaves nothing behind for the rows after it to meet.
    items = [
        {"id": 100, "title": "First"},
        {"id": 100, "title": "Same key"},
        {"id": 101, "title": "Nested refusal", "comments": [{"text": "x" * 201}]},
        {"id": 101, "title": "Key of the refused row"},
    ]
    response = import_json(api, url, "articles", items)
    assert_error(response, 422, 4)
    assert [(row["row"], row["code"]) for row in response.json()["error"]["rows"]] == [(2, 204), (3, 12)]
    assert table("articles") == before and table("comments") == []

    text = "title,rating\nFine,1\nWrong type,many\nShort\n,2\n"
    response = import_csv(api, url, "articles", text)
    assert_error(response, 422, 4)
    assert [(row["row"], row["code"]) for row in response.json()["error"]["rows"]] == [(2, 4), (3, 4), (4, 4)]
    message = assert_error(import_csv(api, url, "articles", "title,colour,size\nFine,red,2\n"), 422, 12)
    assert '"colour, size"' in message
    assert_error(import_csv(api, url, "articles", 'title,comments\nFine,"[not json"\n'), 422, 4)
    assert_error(import_csv(api, url, "articles", "title\n"), 400, 13)
    assert_error(import_csv(api, url, "articles", "title,title\nA,B\n"), 422, 4)
    assert_error(import_json(api, url, "articles", []), 400, 13)
    assert_error(import_json(api, url, "articles", {"title": "not an array"}), 400, 13)
    assert_error(import_file(api, url, "articles", "items.txt", b"title\nA\n", "text/plain"), 400, 13)
    assert table("articles") == before and audit_rows("articles") == audit_before


def test_imports_follow_the_create_permissions(blog, reader, schema_admin_api, schema_url):
    url = schema_url
    client = client_with_token(READER_TOKEN)
    assert_error(import_json(client, url, "articles", [{"title": "Mine"}]), 403, 301)
    assert_error(import_json(client, url, "articles", "not even items"), 403, 301)
    # A denied write answers its own code for every role, as POST /items does.
    assert_error(import_json(APIClient(), url, "articles", [{"title": "Theirs"}]), 403, 301)
    assert_error(import_csv(APIClient(), url, "articles", "title\nTheirs\n"), 403, 301)
    assert_error(import_json(schema_admin_api, url, "directus_users", [{"email": "a@example.com"}]), 401, 201)
    assert_error(import_json(schema_admin_api, url, "nowhere", [{"title": "x"}]), 404, 200)

    # Published articles only, and never a rating.
    for row in Permission.objects.filter(role=reader.pk, collection="articles"):
        row.create = "full"
        row.write_field_blacklist = ["rating"] if row.status == "published" else []
        row.save()
    items = [{"title": "Rated", "status": "published", "rating": 2}, {"title": "Plain", "status": "published"}]
    response = import_json(client, url, "articles", items)
    assert_error(response, 422, 4)
    assert [(row["row"], row["code"]) for row in response.json()["error"]["rows"]] == [(1, 305)]
    assert table("articles") == []
    response = import_json(client, url, "articles", items[1:])
    assert response.status_code == 200, response.content
    assert [row["title"] for row in table("articles")] == ["Plain"]


def test_an_import_body_is_bounded(blog, schema_admin_api, schema_url, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    api, url = schema_admin_api, schema_url
    items = [{"title": f"Article {index}"} for index in range(10)]
    assert_error(import_json(api, url, "articles", items), 413, 13)
    assert_error(import_csv(api, url, "articles", "title\n" + "A long enough title\n" * 10), 413, 13)
    content = ("title\n" + "A long enough title\n" * 10).encode()
    assert_error(import_file(api, url, "articles", "items.csv", content, "text/csv"), 413, 13)
    assert table("articles") == []


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_an_export_imported_into_the_emptied_collection_reads_the_same(
    articles, schema_admin_api, schema_url, file_format
):
    api, url = schema_admin_api, schema_url
    query = {"fields": "*,author.name", "status": "*"}  # the soft-deleted one too
    before = listed(api, url, "articles", **query)
    response = api.get(url("utils/export/articles"), {"format": file_format, "status": "*", "fields": "-created_on"})
    exported = streamed(response)
    project_schema().model("comments").objects.all().delete()
    project_schema().model("articles").objects.all().delete()
    content_type = "application/json" if file_format == "json" else "text/csv"
    response = api.post(url("utils/import/articles"), exported, content_type=content_type)
    assert response.status_code == 200, response.content
    assert response.json()["data"]["created"] == 5
    after = listed(api, url, "articles", **query)
    # `created_on` is the server's to fill: the import's time (items.md § server values).
    assert [{**item, "created_on": None} for item in after] == [{**item, "created_on": None} for item in before]
    # Keys given in the file moved the key sequence past them (PostgreSQL).
    new = create(api, url, "articles", [{"title": "After"}])[0]
    assert new["id"] > max(item["id"] for item in before)
