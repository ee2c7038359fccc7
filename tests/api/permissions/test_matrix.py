"""The ACL of permissions.md on items, for a non-admin user of a custom role: each action at each
level, field blacklists, status-scoped rows, explain, collections without an owner field, and
nested writes into directus_users. A refused request changes nothing in the database.

The blog schema is built once per engine (module fixture); every test runs inside transactions
that are rolled back, like the `project` fixture."""

import pytest
from rest_framework.test import APIClient

from apps.activity.models import Activity
from apps.schema.cache import project_schema
from apps.users.models import User
from tests.api.permissions.matrix import allow, article, articles, table
from tests.helpers import assert_error

LEVELS = ["none", "mine", "role", "full"]


def visible(levels_key: str, ids: dict[str, int]) -> set[int]:
    return {
        "none": set(),
        "mine": {ids["mine"]},
        "role": {ids["mine"], ids["colleague"]},
        "full": set(ids.values()),
    }[levels_key]


# -- one action at each level ---------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_read_levels(matrix, member, level):
    ids = articles(matrix)
    allow(matrix, ("articles", None, {"read": level}))
    response = member.get(matrix.url("items/articles"))
    if level == "none":
        assert_error(response, 403, 300)
    else:
        assert response.status_code == 200, response.content
        assert {row["id"] for row in response.json()["data"]} == visible(level, ids)
    for pk in ids.values():
        single = member.get(matrix.url(f"items/articles/{pk}"))
        if pk in visible(level, ids):
            assert single.status_code == 200 and single.json()["data"]["id"] == pk
        else:
            assert_error(single, 404, 203)  # denied single reads look missing


@pytest.mark.parametrize("level", LEVELS)
def test_create_levels(matrix, member, level):
    allow(matrix, ("articles", None, {"create": level, "read": "full"}))
    response = member.post(matrix.url("items/articles"), {"title": "New"}, format="json")
    if level == "none":
        assert_error(response, 403, 301)
        assert table("articles") == []
    else:
        assert response.status_code == 200, response.content
        assert response.json()["data"]["owner"] == matrix.member
        assert [row["title"] for row in table("articles")] == ["New"]


@pytest.mark.parametrize("level", LEVELS)
def test_update_levels(matrix, member, level):
    ids = articles(matrix)
    allow(matrix, ("articles", None, {"update": level, "read": "full"}))
    for owner, pk in ids.items():
        before = table("articles")
        response = member.patch(matrix.url(f"items/articles/{pk}"), {"title": f"Changed {owner}"}, format="json")
        if pk in visible(level, ids):
            assert response.status_code == 200, (owner, response.content)
            assert response.json()["data"]["title"] == f"Changed {owner}"
        else:
            assert_error(response, 403, 302)
            assert table("articles") == before
    batch = member.patch(matrix.url("items/articles"), [{"id": pk, "rating": 5} for pk in ids.values()], format="json")
    if level == "full":
        assert batch.status_code == 200
    else:
        assert_error(batch, 403, 302)  # one refused item refuses the batch
        assert {row["rating"] for row in table("articles")} == {None}


@pytest.mark.parametrize("level", LEVELS)
def test_delete_levels(matrix, member, level):
    ids = articles(matrix)
    allow(matrix, ("articles", None, {"delete": level, "read": "full"}))
    for owner, pk in ids.items():
        before = table("articles")
        response = member.delete(matrix.url(f"items/articles/{pk}"))
        if pk in visible(level, ids):
            assert response.status_code == 204, (owner, response.content)
            assert pk not in {row["id"] for row in table("articles")}
        else:
            assert_error(response, 403, 303)
            assert table("articles") == before


# -- field blacklists -----------------------------------------------------------------------------


def test_read_blacklist(matrix, member):
    pk = article(matrix.member, "Secret body", body="hidden", rating=3)
    allow(matrix, ("articles", None, {"read": "full", "read_field_blacklist": ["body"]}))
    listed = member.get(matrix.url("items/articles")).json()["data"]
    assert listed and all("body" not in row and "title" in row for row in listed)
    assert "body" not in member.get(matrix.url(f"items/articles/{pk}")).json()["data"]
    assert "body" not in member.get(matrix.url(f"items/articles/{pk}"), {"fields": "*.*"}).json()["data"]
    assert member.get(matrix.url(f"items/articles/{pk}"), {"fields": "id,title"}).json()["data"] == {
        "id": pk,
        "title": "Secret body",
    }
    assert_error(member.get(matrix.url("items/articles"), {"fields": "id,body"}), 403, 304)
    assert_error(member.get(matrix.url(f"items/articles/{pk}"), {"fields": "body"}), 403, 304)
    assert_error(member.get(matrix.url("items/articles"), {"filter[body][eq]": "hidden"}), 403, 304)
    assert_error(member.get(matrix.url("items/articles"), {"sort": "body"}), 403, 304)


def test_write_blacklist(matrix, member):
    pk = article(matrix.member, "Rated")
    allow(
        matrix,
        ("articles", None, {"create": "full", "read": "full", "update": "full", "write_field_blacklist": ["rating"]}),
    )
    before = table("articles")
    assert_error(member.post(matrix.url("items/articles"), {"title": "x", "rating": 1}, format="json"), 403, 305)
    assert_error(member.patch(matrix.url(f"items/articles/{pk}"), {"rating": 1}, format="json"), 403, 305)
    assert_error(member.patch(matrix.url("items/articles"), [{"id": pk, "rating": 1}], format="json"), 403, 305)
    assert table("articles") == before
    assert member.post(matrix.url("items/articles"), {"title": "ok"}, format="json").status_code == 200
    assert member.patch(matrix.url(f"items/articles/{pk}"), {"title": "ok"}, format="json").status_code == 200


# -- status-scoped rows ---------------------------------------------------------------------------


def test_status_scoped_rows(matrix, member):
    ids = articles(matrix)  # drafts
    published = {
        "colleague": article(matrix.colleague, "Out", status="published"),
        "admin": article(1, "Out too", status="published"),
    }
    allow(
        matrix,
        ("articles", None, {"create": "full", "read": "full", "update": "full", "delete": "full"}),  # ignored
        ("articles", "published", {"read": "full", "update": "none", "create": "none"}),
        ("articles", "draft", {"read": "mine", "update": "full", "create": "full"}),
    )
    listed = {row["id"] for row in member.get(matrix.url("items/articles")).json()["data"]}
    assert listed == {ids["mine"], *published.values()}
    drafts = member.get(matrix.url("items/articles"), {"status": "draft"}).json()["data"]
    assert [row["id"] for row in drafts] == [ids["mine"]]
    assert_error(member.get(matrix.url(f"items/articles/{ids['admin']}")), 404, 203)

    before = table("articles")
    assert_error(
        member.patch(matrix.url(f"items/articles/{published['admin']}"), {"title": "x"}, format="json"), 403, 302
    )
    assert_error(
        member.post(matrix.url("items/articles"), {"title": "x", "status": "published"}, format="json"), 403, 301
    )
    assert_error(member.delete(matrix.url(f"items/articles/{ids['mine']}")), 403, 303)  # no delete for drafts
    assert table("articles") == before
    # update `full` on drafts reaches drafts of anyone (read back: not readable, so 204).
    response = member.patch(matrix.url(f"items/articles/{ids['admin']}"), {"title": "y"}, format="json")
    assert response.status_code == 204
    assert {row["id"]: row["title"] for row in table("articles")}[ids["admin"]] == "y"
    # Creation defaults to draft.
    assert member.post(matrix.url("items/articles"), {"title": "draft"}, format="json").status_code == 200


def test_soft_delete_is_checked_as_a_delete(matrix, member):
    pk = article(matrix.member, "Soon gone")
    allow(matrix, ("articles", None, {"read": "full", "update": "full", "delete": "none"}))
    assert_error(member.patch(matrix.url(f"items/articles/{pk}"), {"status": "deleted"}, format="json"), 403, 303)
    assert table("articles")[0]["status"] == "draft"
    allow(matrix, ("articles", None, {"read": "full", "update": "none", "delete": "mine"}))
    response = member.patch(matrix.url(f"items/articles/{pk}"), {"status": "deleted"}, format="json")
    assert response.status_code == 204  # the caller can no longer read it
    assert table("articles")[0]["status"] == "deleted"
    allow(matrix, ("articles", None, {"read": "full", "update": "full", "delete": "full"}))
    assert_error(member.patch(matrix.url(f"items/articles/{pk}"), {"title": "back"}, format="json"), 403, 302)
    assert table("articles")[0]["title"] == "Soon gone"


# -- other rules ----------------------------------------------------------------------------------


def test_explain_requires_a_comment(matrix, member):
    pk = article(matrix.member, "Explained")
    allow(matrix, ("articles", None, {"create": "full", "read": "full", "update": "full", "explain": "update"}))
    assert member.post(matrix.url("items/articles"), {"title": "free"}, format="json").status_code == 200
    before = table("articles")
    assert_error(member.patch(matrix.url(f"items/articles/{pk}"), {"title": "why?"}, format="json"), 403, 10)
    assert table("articles") == before
    response = member.patch(matrix.url(f"items/articles/{pk}?comment=typo"), {"title": "why?"}, format="json")
    assert response.status_code == 200
    assert Activity.objects.filter(collection="articles", item=str(pk), action="update").get().comment == "typo"


def test_mine_without_an_owner_field(matrix, member):
    comment = project_schema().model("comments").objects.create(text="Hi").pk
    allow(matrix, ("comments", None, {"read": "mine", "update": "mine", "delete": "role"}))
    assert member.get(matrix.url("items/comments")).json()["data"] == []
    assert_error(member.get(matrix.url(f"items/comments/{comment}")), 404, 203)
    assert_error(member.patch(matrix.url(f"items/comments/{comment}"), {"text": "x"}, format="json"), 403, 302)
    assert_error(member.delete(matrix.url(f"items/comments/{comment}")), 403, 303)
    assert table("comments")[0]["text"] == "Hi"


def test_no_row_and_the_public(matrix, member):
    allow(matrix)
    assert_error(member.get(matrix.url("items/articles")), 403, 300)
    assert_error(member.post(matrix.url("items/articles"), {"title": "x"}, format="json"), 403, 301)
    public = APIClient()
    assert_error(public.get(matrix.url("items/articles")), 401, 3)
    assert_error(public.post(matrix.url("items/articles"), {"title": "x"}, format="json"), 403, 301)
    assert table("articles") == []


def test_related_collections_follow_their_own_rules(matrix, member):
    author = project_schema().model("authors").objects.create(name="Ada").pk
    pk = article(matrix.member, "With author", author=author)
    allow(matrix, ("articles", None, {"read": "full"}))
    body = member.get(matrix.url(f"items/articles/{pk}"), {"fields": "id,author.*"}).json()
    assert body["data"]["author"] == {"id": author}
    assert body["messages"][0]["code"] == 18
    allow(
        matrix,
        ("articles", None, {"read": "full"}),
        ("authors", None, {"read": "full", "read_field_blacklist": ["email"]}),
    )
    data = member.get(matrix.url(f"items/articles/{pk}"), {"fields": "id,author.*"}).json()["data"]
    assert data["author"] == {"id": author, "name": "Ada"}


def test_nested_writes_into_users_follow_deviation_15(matrix, member):
    allow(
        matrix,
        ("notes", None, {"create": "full", "read": "full", "update": "full"}),
        ("directus_users", "active", {"read": "full", "update": "full", "create": "full"}),
        ("directus_users", "draft", {"create": "full"}),
    )
    users_before = list(User.objects.order_by("pk").values())
    for nested in ({"id": matrix.member, "role": 1}, {"id": matrix.colleague, "password": "taken-over"}):
        assert_error(member.post(matrix.url("items/notes"), {"text": "x", "user": nested}, format="json"), 403, 305)
    assert_error(
        member.post(
            matrix.url("items/notes"), {"text": "x", "user": {"email": "n@example.com", "role": 1}}, format="json"
        ),
        403,
        305,
    )
    assert list(User.objects.order_by("pk").values()) == users_before and table("notes") == []
    response = member.post(
        matrix.url("items/notes"), {"text": "ok", "user": {"id": matrix.member, "first_name": "Nested"}}, format="json"
    )
    assert response.status_code == 200, response.content
    assert User.objects.get(pk=matrix.member).first_name == "Nested"
