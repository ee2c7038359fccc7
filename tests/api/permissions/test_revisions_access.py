"""Deviation 19: a revision is readable only where its item is, and shows only the fields the
reader may read. This holds on every route that returns revisions: `/revisions`, the revisions
of one item (items, users, files, webhooks), nested reads and GraphQL."""

import pytest

from apps.files.models import File
from apps.schema.cache import project_schema
from apps.users.models import User, UserStatus
from tests.api.permissions.matrix import allow
from tests.api.users.factories import client_with_token, make_file
from tests.helpers import assert_error

ADMIN = "admin-static-token"
BODY_HIDDEN = ("articles", None, {"read": "mine", "read_field_blacklist": ["body"]})
REVISIONS = ("directus_revisions", None, {"read": "full"})


@pytest.fixture
def admin():
    return client_with_token(ADMIN)


@pytest.fixture
def edited(matrix, admin):
    """Two articles written through the API (so each has revisions), one then given to the
    member; the admin keeps the other."""
    ids = {}
    for name in ("mine", "admins"):
        created = admin.post(matrix.url("items/articles"), {"title": name, "body": f"{name} secret"}, format="json")
        assert created.status_code == 200, created.content
        pk = created.json()["data"]["id"]
        admin.patch(matrix.url(f"items/articles/{pk}"), {"body": f"{name} secret, edited"}, format="json")
        ids[name] = pk
    project_schema().model("articles").objects.filter(pk=ids["mine"]).update(owner=matrix.member)
    return ids


def snapshots(response) -> list[dict]:
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    return data if isinstance(data, list) else [data]


def test_item_revisions_show_only_readable_fields_of_readable_items(matrix, member, edited):
    allow(matrix, BODY_HIDDEN, REVISIONS)
    rows = snapshots(member.get(matrix.url(f"items/articles/{edited['mine']}/revisions")))
    assert len(rows) == 2
    for row in rows:
        assert "body" not in row["data"] and row["data"]["title"] == "mine"
        assert "body" not in (row["delta"] or {})
    first = snapshots(member.get(matrix.url(f"items/articles/{edited['mine']}/revisions/0")))[0]
    assert first["data"]["title"] == "mine" and "body" not in first["data"]
    # The admin's article is not readable: its revisions look missing, offset or not.
    assert_error(member.get(matrix.url(f"items/articles/{edited['admins']}/revisions")), 404, 203)
    assert_error(member.get(matrix.url(f"items/articles/{edited['admins']}/revisions/0")), 404, 203)
    assert_error(member.get(matrix.url("items/articles/987654/revisions")), 404, 203)


def test_item_revisions_need_read_on_revisions(matrix, member, edited):
    allow(matrix, BODY_HIDDEN, ("directus_revisions", None, {"read": "none"}))
    assert_error(member.get(matrix.url(f"items/articles/{edited['mine']}/revisions")), 403, 300)


def test_item_revisions_take_list_parameters(matrix, member, edited):
    allow(matrix, BODY_HIDDEN, REVISIONS)
    response = member.get(
        matrix.url(f"items/articles/{edited['mine']}/revisions"),
        {"fields": "id,data", "sort": "-id", "limit": 1, "meta": "total_count"},
    )
    rows = snapshots(response)
    assert len(rows) == 1 and set(rows[0]) == {"id", "data"} and "body" not in rows[0]["data"]
    assert response.json()["meta"]["total_count"] == 2
    assert_error(member.get(matrix.url(f"items/articles/{edited['mine']}/revisions"), {"fields": "id,nope"}), 422, 202)


def test_revisions_of_system_rows_follow_their_collections_rules(matrix, member, admin):
    """Webhooks (no role reads them), suspended users and unreadable files: their revisions
    through the item route look missing, as through their own routes."""
    allow(matrix, REVISIONS, ("directus_users", "active", {"read": "full"}))
    hook = admin.post(
        matrix.url("webhooks"),
        {
            "status": "inactive",
            "http_action": "post",
            "url": "https://hooks.example.com/secret-path",
            "collection": "articles",
            "directus_action": "item.create:after",
        },
        format="json",
    )
    assert hook.status_code == 200, hook.content
    hook_id = hook.json()["data"]["id"]
    assert_error(member.get(matrix.url(f"items/directus_webhooks/{hook_id}/revisions")), 404, 203)
    assert_error(member.get(matrix.url(f"webhooks/{hook_id}/revisions")), 404, 203)

    suspended = User.objects.create(email="gone@example.com", status=UserStatus.SUSPENDED, role=matrix.role)
    admin.patch(matrix.url(f"users/{suspended.pk}"), {"first_name": "Hidden"}, format="json")
    assert_error(member.get(matrix.url(f"items/directus_users/{suspended.pk}/revisions")), 404, 203)
    assert_error(member.get(matrix.url(f"users/{suspended.pk}/revisions")), 404, 203)

    file = make_file(private_hash="revisionfilehash")
    admin.patch(matrix.url(f"files/{file.pk}"), {"title": "Quarterly"}, format="json")
    assert_error(member.get(matrix.url(f"files/{file.pk}/revisions")), 404, 203)
    assert_error(member.get(matrix.url(f"items/directus_files/{file.pk}/revisions")), 404, 203)
    listed = snapshots(member.get(matrix.url("revisions"), {"limit": -1}))
    assert not {(row["collection"], row["item"]) for row in listed} & {
        ("directus_webhooks", str(hook_id)),
        ("directus_users", str(suspended.pk)),
        ("directus_files", str(file.pk)),
    }
    assert "revisionfilehash" not in str(listed) and "secret-path" not in str(listed)
    # Once the role reads files, their revisions are there too.
    allow(matrix, REVISIONS, ("directus_files", None, {"read": "full"}))
    assert snapshots(member.get(matrix.url(f"files/{file.pk}/revisions")))
    assert File.objects.filter(pk=file.pk).exists()


def test_the_revisions_list_shows_only_readable_items_and_fields(matrix, member, admin, edited):
    allow(matrix, BODY_HIDDEN, REVISIONS)
    everything = snapshots(admin.get(matrix.url("revisions"), {"filter[collection][eq]": "articles", "limit": -1}))
    assert {row["item"] for row in everything} == {str(edited["mine"]), str(edited["admins"])}
    response = member.get(
        matrix.url("revisions"), {"filter[collection][eq]": "articles", "limit": -1, "meta": "total_count,filter_count"}
    )
    rows = snapshots(response)
    assert {row["item"] for row in rows} == {str(edited["mine"])}
    assert all("body" not in row["data"] and "body" not in (row["delta"] or {}) for row in rows)
    assert response.json()["meta"]["filter_count"] == 2
    assert response.json()["meta"]["total_count"] < len(snapshots(admin.get(matrix.url("revisions"), {"limit": -1})))
    # One revision by id: the admin's article's looks missing.
    hidden = next(row["id"] for row in everything if row["item"] == str(edited["admins"]))
    assert_error(member.get(matrix.url(f"revisions/{hidden}")), 404, 203)
    shown = next(row["id"] for row in rows)
    assert "body" not in snapshots(member.get(matrix.url(f"revisions/{shown}")))[0]["data"]
    # Selecting only `data` still leaves the blacklisted field out.
    only_data = snapshots(member.get(matrix.url(f"revisions/{shown}"), {"fields": "data"}))[0]
    assert set(only_data) == {"data"} and "body" not in only_data["data"]


def test_revisions_of_deleted_items_are_for_admins_only(matrix, member, admin, edited):
    allow(matrix, ("articles", None, {"read": "full", "delete": "full"}), REVISIONS)
    assert member.delete(matrix.url(f"items/articles/{edited['mine']}")).status_code == 204
    mine = {"filter[collection][eq]": "articles", "filter[item][eq]": str(edited["mine"])}
    assert snapshots(member.get(matrix.url("revisions"), mine)) == []
    assert len(snapshots(admin.get(matrix.url("revisions"), mine))) == 2


def test_graphql_reads_of_revisions_follow_the_same_rules(matrix, member, admin, edited):
    allow(
        matrix,
        BODY_HIDDEN,
        REVISIONS,
        ("directus_activity", None, {"read": "full"}),
    )
    document = '{ directus_revisions(filter: {collection_eq: "articles"}) { data { item data } } }'
    answer = member.post(matrix.url("gql"), {"query": document}, format="json")
    assert answer.status_code == 200, answer.content
    assert "errors" not in answer.json(), answer.content
    items = answer.json()["data"]["directus_revisions"]["data"]
    assert {row["item"] for row in items} == {str(edited["mine"])}
    assert all("body" not in row["data"] for row in items)


def test_users_private_columns_never_appear_in_others_revisions(matrix, member, admin):
    allow(matrix, REVISIONS, ("directus_users", "active", {"read": "full"}))
    colleague = matrix.colleague
    response = admin.patch(
        matrix.url(f"users/{colleague}"), {"last_page": "/secret/page", "email_notifications": False}, format="json"
    )
    assert response.status_code == 200, response.content
    theirs = snapshots(member.get(matrix.url(f"users/{colleague}/revisions")))
    assert theirs and all("last_page" not in row["data"] for row in theirs)
    assert all(not {"last_page", "email_notifications"} & set(row["delta"] or {}) for row in theirs)
    listed = snapshots(member.get(matrix.url("revisions"), {"filter[collection][eq]": "directus_users", "limit": -1}))
    assert "/secret/page" not in str(listed)
    # The user themself, and admins, see their own.
    admin.patch(matrix.url(f"users/{matrix.member}"), {"last_page": "/own/page"}, format="json")
    own = snapshots(member.get(matrix.url("users/me/revisions")))
    assert any(row["data"].get("last_page") == "/own/page" for row in own)


def test_snapshots_are_not_matched_against_by_non_admins(matrix, member, admin, edited):
    """`data` and `delta` hold fields the reader may not read (left out per row): a filter or
    sort on them would match against those, so only admins may use them."""
    allow(matrix, BODY_HIDDEN, REVISIONS)
    for query in ({"filter[data][contains]": "mine secret"}, {"filter[delta][nnull]": ""}, {"sort": "data"}):
        assert_error(member.get(matrix.url("revisions"), query), 403, 304)
        assert admin.get(matrix.url("revisions"), query).status_code == 200
    found = admin.get(matrix.url("revisions"), {"filter[data][contains]": "mine secret"}).json()["data"]
    assert found and {row["item"] for row in found} == {str(edited["mine"])}


def test_activity_is_readable_only_for_readable_items_or_own_actions(matrix, member, admin, edited):
    commenting = ("articles", None, {"read": "mine", "comment": "create"})
    allow(matrix, commenting, REVISIONS, ("directus_activity", None, {"read": "full", "create": "full"}))
    for key, text in (("admins", "the admins code 4242"), ("mine", "a note on mine")):
        response = admin.post(
            matrix.url("activity/comment"),
            {"collection": "articles", "item": edited[key], "comment": text},
            format="json",
        )
        assert response.status_code == 200, response.content
    rows = snapshots(member.get(matrix.url("activity"), {"limit": -1}))
    assert "4242" not in str(rows) and "a note on mine" in str(rows)
    assert all(row["item"] != str(edited["admins"]) or row["collection"] != "articles" for row in rows)
    assert member.get(matrix.url("activity"), {"filter[comment][contains]": "4242"}).json()["data"] == []
    # Their own actions stay theirs to read, whatever became of the item.
    own = member.post(
        matrix.url("activity/comment"), {"collection": "articles", "item": edited["mine"], "comment": "mine"}
    )
    assert own.status_code == 200, own.content
    project_schema().model("articles").objects.filter(pk=edited["mine"]).update(owner=1)
    rows = snapshots(member.get(matrix.url("activity"), {"limit": -1}))
    assert [row["comment"] for row in rows if row["item"] == str(edited["mine"])] == ["mine"]
