"""One role against every route that returns item data: what the role may not read never
appears, and no filter tells it apart from what does not exist.

The project holds values marked `SECRET` that the member's role may not read (a row of another
owner, a blacklisted field, an unreadable collection, a suspended user, a webhook, another
user's file and comment). Each route is read as the member and its whole answer searched for
the mark; each filter is sent once with a secret and once with a value that exists nowhere, and
both must answer alike. A new route that returns item data belongs in ROUTES."""

import pytest

from apps.schema.cache import project_schema
from apps.users.models import User, UserStatus
from tests.api.permissions.matrix import allow
from tests.api.users.factories import client_with_token, make_file

MARK = b"SECRET-"

RULES = (
    ("articles", None, {"read": "mine", "read_field_blacklist": ["body"], "comment": "create"}),
    ("authors", None, {"read": "full"}),
    ("directus_users", "active", {"read": "full", "read_field_blacklist": ["last_name"]}),
    ("directus_revisions", None, {"read": "full"}),
    ("directus_activity", None, {"read": "full"}),
    ("directus_files", None, {"read": "mine"}),
    ("directus_roles", None, {"read": "mine"}),
    ("directus_collections", None, {"read": "full"}),
    ("directus_fields", None, {"read": "full"}),
    ("directus_relations", None, {"read": "full"}),
)


@pytest.fixture
def secrets(matrix):
    """Everything written through the API as the admin, so that revisions and activity hold it."""
    admin = client_with_token("admin-static-token")

    def ok(response):
        assert response.status_code in (200, 204), response.content
        return response.json()["data"] if response.status_code == 200 else None

    author = ok(admin.post(matrix.url("items/authors"), {"name": "Ada"}, format="json"))["id"]
    hidden = ok(
        admin.post(
            matrix.url("items/articles"),
            {"title": "SECRET-TITLE-1", "body": "SECRET-BODY-1", "author": author},
            format="json",
        )
    )["id"]
    mine = ok(
        admin.post(
            matrix.url("items/articles"),
            {"title": "readable", "body": "SECRET-BODY-2", "author": author, "comments": [{"text": "SECRET-TEXT-3"}]},
            format="json",
        )
    )["id"]
    ok(admin.patch(matrix.url(f"items/articles/{mine}"), {"body": "SECRET-BODY-2b"}, format="json"))
    project_schema().model("articles").objects.filter(pk=mine).update(owner=matrix.member)
    ok(admin.patch(matrix.url("users/1"), {"last_name": "SECRET-LAST-4"}, format="json"))
    comment = {"collection": "articles", "item": hidden, "comment": "SECRET-NOTE-5"}
    ok(admin.post(matrix.url("activity/comment"), comment, format="json"))
    suspended = User.objects.create(email="suspended@example.com", status=UserStatus.SUSPENDED, role=matrix.role)
    ok(admin.patch(matrix.url(f"users/{suspended.pk}"), {"first_name": "SECRET-SUSPENDED-6"}, format="json"))
    hook = {
        "status": "inactive",
        "http_action": "post",
        "url": "https://secret-hook-7.example.com/SECRET-HOOK-7",
        "collection": "articles",
        "directus_action": "item.create:after",
    }
    hook_id = ok(admin.post(matrix.url("webhooks"), hook, format="json"))["id"]
    file = make_file(private_hash="SECRET-HASH-8", uploaded_by=1)
    ok(admin.patch(matrix.url(f"files/{file.pk}"), {"title": "SECRET-FILE-8"}, format="json"))
    own_file = make_file(private_hash="ownfilehash9", filename_disk="own.svg", uploaded_by=matrix.member)
    allow(matrix, *RULES)
    return {
        "author": author,
        "hidden": hidden,
        "mine": mine,
        "suspended": suspended.pk,
        "hook": hook_id,
        "file": file.pk,
        "own_file": own_file.pk,
    }


def gql(query: str) -> tuple[str, dict]:
    return "POST gql", {"query": query}


ROUTES = [
    "items/articles?fields=*.*.*&limit=-1&meta=*",
    "items/articles/{mine}?fields=*.*.*",
    "items/articles/{hidden}",
    "items/authors?fields=*.*.*&limit=-1",
    "items/authors/{author}?fields=*.*.*",
    "items/comments?limit=-1",
    "revisions?fields=*.*&limit=-1&meta=*",
    "items/articles/{mine}/revisions?fields=*.*",
    "items/articles/{mine}/revisions/0",
    "items/articles/{hidden}/revisions",
    "items/authors/{author}/revisions",
    "activity?fields=*.*&limit=-1&meta=*",
    "users?fields=*.*&limit=-1&meta=*",
    "users/1?fields=*.*",
    "users/me?fields=*.*",
    "users/{suspended}",
    "users/1/revisions",
    "users/{suspended}/revisions",
    "items/directus_users/1/revisions",
    "files?fields=*.*&limit=-1&meta=*",
    "files/{file}",
    "files/{own_file}?fields=*.*",
    "files/{file}/revisions",
    "items/directus_files/{file}/revisions",
    "webhooks",
    "webhooks/{hook}",
    "webhooks/{hook}/revisions",
    "items/directus_webhooks/{hook}/revisions",
    "scim/v2/Users",
    "scim/v2/Users/1",
    "scim/v2/Groups",
    gql("{ articles { data { id title author { name articles { title } } } } }"),
    gql("{ authors { data { name articles { id title } } } }"),
    gql("{ directus_revisions(limit: -1) { data { collection item data delta } meta { total_count } } }"),
    gql("{ directus_activity(limit: -1) { data { collection item comment } } }"),
    gql("{ directus_users(limit: -1) { data { id first_name email } } }"),
    gql("{ directus_files(limit: -1) { data { id title private_hash } } }"),
]


def send(member, matrix, route, ids):
    if isinstance(route, tuple):
        return member.post(matrix.url("gql"), route[1], format="json")
    return member.get(matrix.url(route.format(**ids)))


@pytest.mark.parametrize(
    "route", ROUTES, ids=lambda route: route[1]["query"][:40] if isinstance(route, tuple) else route
)
def test_no_route_shows_what_the_role_may_not_read(matrix, member, secrets, route):
    response = send(member, matrix, route, secrets)
    assert response.status_code in (200, 204, 401, 403, 404), response.content
    assert MARK not in response.content, response.content


def test_no_single_revision_or_activity_row_shows_it(matrix, member, secrets):
    admin = client_with_token("admin-static-token")
    for resource in ("revisions", "activity"):
        rows = admin.get(matrix.url(resource), {"limit": -1, "fields": "id"}).json()["data"]
        assert rows
        for row in rows:
            response = member.get(matrix.url(f"{resource}/{row['id']}"))
            assert response.status_code in (200, 404), response.content
            assert MARK not in response.content, (resource, row, response.content)


def answer(response) -> tuple:
    """What a filter tells: the status and the rows (or the error code), not the echoed query."""
    body = response.json() if response.content else {}
    if "error" in body:
        return response.status_code, body["error"].get("code")
    if "Resources" in body or "schemas" in body:  # SCIM
        return response.status_code, body.get("totalResults"), body.get("Resources"), body.get("detail")
    data = body.get("data")
    meta = {key: value for key, value in (body.get("meta") or {}).items() if key != "links"}
    return response.status_code, data, meta, body.get("errors") and len(body["errors"])


ORACLES = [
    ("items/authors", {"filter[articles.title][contains]": "{}"}, "SECRET-TITLE-1"),
    ("items/authors", {"filter[articles.title][rlike]": "{}%"}, "SECRET-TITLE"),
    ("items/authors", {"filter[articles.body][contains]": "{}"}, "SECRET-BODY-2"),
    ("items/authors", {"filter[articles][contains]": "{}"}, "SECRET-TITLE-1"),
    ("items/articles", {"filter[comments.text][contains]": "{}"}, "SECRET-TEXT-3"),
    ("items/articles", {"filter[author.articles.title][contains]": "{}"}, "SECRET-TITLE-1"),
    ("items/articles", {"q": "{}", "meta": "filter_count,total_count"}, "SECRET-BODY-2"),
    ("items/articles", {"meta": "filter_count", "filter[title][contains]": "{}"}, "SECRET-TITLE-1"),
    ("revisions", {"filter[data][contains]": "{}"}, "SECRET-BODY-2"),
    ("revisions", {"filter[activity.comment][contains]": "{}"}, "SECRET-NOTE-5"),
    ("revisions", {"meta": "filter_count", "filter[collection][eq]": "articles", "filter[item][eq]": "{}"}, "{hidden}"),
    ("activity", {"filter[comment][contains]": "{}", "meta": "filter_count"}, "SECRET-NOTE-5"),
    ("users", {"filter[last_name][contains]": "{}"}, "SECRET-LAST-4"),
    ("users", {"filter[first_name][contains]": "{}", "meta": "filter_count"}, "SECRET-SUSPENDED-6"),
    ("files", {"filter[title][contains]": "{}", "meta": "filter_count"}, "SECRET-FILE-8"),
    ("scim/v2/Users", {"filter": 'name.familyName sw "{}"'}, "SECRET-LAST"),
    ("scim/v2/Users", {"filter": 'name.givenName sw "{}"'}, "SECRET-SUSPENDED"),
    ("scim/v2/Groups", {"filter": 'members.value eq "{}"'}, "{suspended}"),
    ("gql", {"query": '{ authors(filter: {articles: {title_contains: "{}"}}) { data { name } } }'}, "SECRET-TITLE-1"),
    ("gql", {"query": '{ articles(filter: {comments: {text_contains: "{}"}}) { data { id } } }'}, "SECRET-TEXT-3"),
]


@pytest.mark.parametrize("path, params, secret", ORACLES, ids=[f"{o[0]}-{next(iter(o[1]))}" for o in ORACLES])
def test_no_filter_tells_a_secret_from_nothing(matrix, member, secrets, path, params, secret):
    secret = secret.format(**secrets)

    def ask(value):
        filled = {key: text.replace("{}", value) for key, text in params.items()}
        if path == "gql":
            return member.post(matrix.url("gql"), filled, format="json")
        return member.get(matrix.url(path), filled)

    with_secret, with_nothing = ask(secret), ask("NOTHING-LIKE-IT-0000")
    assert with_secret.status_code < 500, with_secret.content
    assert answer(with_secret) == answer(with_nothing), (with_secret.content, with_nothing.content)
