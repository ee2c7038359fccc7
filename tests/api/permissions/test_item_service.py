"""One item service (apps.items.operations) under every route and protocol: the same batch rules,
the same batch update by key, the same read-back and the same revisions, whichever route asks;
and the guard's interface (restrict, comments given when it is made)."""

import pytest

from apps.access.guard import PermissionGuard
from apps.access.interface import Guard
from apps.auth.identity import Identity
from apps.core import errors
from apps.items.audit import Actor
from apps.items.keys import changes_by_key, check_batch
from apps.items.operations import ItemService
from apps.schema.cache import project_schema
from apps.settings.models import Setting
from apps.users.models import User
from tests.api.permissions.matrix import allow, article, table
from tests.api.users.factories import client_with_token, make_file
from tests.helpers import assert_error

ADMIN = "admin-static-token"
GQL_BATCH = "mutation($data: [JSON!]!) { %s(data: $data) { id } }"


@pytest.fixture
def admin():
    return client_with_token(ADMIN)


def gql(client, m, query: str, variables: dict | None = None):
    return client.post(m.url("gql"), {"query": query, "variables": variables or {}}, format="json")


def gql_error(response) -> tuple[int, str]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body.get("errors") and body.get("data") is None, body
    error = body["errors"][0]
    return error["extensions"]["code"], error["message"]


def tags(*names: str) -> list[int]:
    model = project_schema().model("tags")
    return [model.objects.create(name=name).pk for name in names]


def files(count: int) -> list[int]:
    return [make_file(private_hash=f"servicefile{n:05d}", filename_disk=f"f{n}.svg").pk for n in range(count)]


# Batches --------------------------------------------------------------------------------------


def test_a_batch_over_the_cap_is_refused_alike_on_every_route(matrix, admin, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "MAX_BATCH_ITEMS": 2}
    tag_ids, file_ids = tags("a", "b", "c"), files(3)
    before = {"tags": table("tags"), "files": table("directus_files"), "settings": Setting.objects.count()}
    three_tags = ",".join(map(str, tag_ids))
    three_files = ",".join(map(str, file_ids))
    answers = [
        admin.post(matrix.url("items/tags"), [{"name": "x"}] * 3, format="json"),
        admin.patch(matrix.url("items/tags"), [{"id": pk, "name": "x"} for pk in tag_ids], format="json"),
        admin.patch(matrix.url(f"items/tags/{three_tags}"), {"name": "x"}, format="json"),
        admin.delete(matrix.url(f"items/tags/{three_tags}")),
        # Files had no cap before they went through the item service.
        admin.patch(matrix.url("files"), [{"id": pk, "title": "x"} for pk in file_ids], format="json"),
        admin.patch(matrix.url(f"files/{three_files}"), {"title": "x"}, format="json"),
        admin.delete(matrix.url(f"files/{three_files}")),
        admin.post(matrix.url("settings"), [{"key": f"k{n}", "value": "v"} for n in range(3)], format="json"),
    ]
    assert {assert_error(response, 422, 4) for response in answers} == {"A batch holds at most 2 items"}
    for mutation, data in (("create_tags_items", [{"name": "x"}] * 3), ("update_tags_items", [{"id": 1}] * 3)):
        response = gql(admin, matrix, GQL_BATCH % mutation, {"data": data})
        assert gql_error(response) == (4, "A batch holds at most 2 items")
    after = {"tags": table("tags"), "files": table("directus_files"), "settings": Setting.objects.count()}
    assert after == before


def test_an_empty_batch_is_an_invalid_payload_on_every_route(matrix, admin):
    for response in (
        admin.patch(matrix.url("items/tags"), [], format="json"),
        admin.patch(matrix.url("files"), [], format="json"),
        admin.patch(matrix.url("users"), [], format="json"),
    ):
        assert_error(response, 400, 13)
    assert gql_error(gql(admin, matrix, GQL_BATCH % "create_tags_items", {"data": []}))[0] == 13


def test_a_batch_update_names_every_item_by_key_on_every_route(matrix, admin):
    tag_ids, file_ids = tags("a"), files(1)
    before = {"tags": table("tags"), "files": table("directus_files"), "settings": list(Setting.objects.values())}
    answers = [
        admin.patch(matrix.url("items/tags"), [{"id": tag_ids[0], "name": "x"}, {"name": "y"}], format="json"),
        admin.patch(matrix.url("files"), [{"id": file_ids[0], "title": "x"}, {"title": "y"}], format="json"),
        admin.patch(matrix.url("users"), [{"id": 1, "first_name": "x"}, {"first_name": "y"}], format="json"),
        admin.patch(
            matrix.url("settings"), [{"id": Setting.objects.first().pk, "value": "x"}, {"value": "y"}], format="json"
        ),
    ]
    assert {assert_error(response, 422, 12) for response in answers} == {"Payload must include the primary key"}
    data = [{"id": tag_ids[0], "name": "x"}, {"name": "y"}]
    assert gql_error(gql(admin, matrix, GQL_BATCH % "update_tags_items", {"data": data})) == (
        12,
        "Payload must include the primary key",
    )
    after = {"tags": table("tags"), "files": table("directus_files"), "settings": list(Setting.objects.values())}
    assert after == before


def test_batches_of_the_service_are_all_or_nothing(matrix):
    items = ItemService(project_schema(), Guard(), Actor(user_id=1))
    info = project_schema().collection("tags")
    before = table("tags")
    with pytest.raises(errors.UnprocessableEntity):
        items.create(info, [{"name": "kept?"}, {"nope": 1}])
    (pk,) = tags("a")
    with pytest.raises(errors.ItemNotFound):
        items.update_by_key(info, [{"id": pk, "name": "changed?"}, {"id": 987654, "name": "x"}])
    with pytest.raises(errors.ItemNotFound):
        items.delete(info, [pk, 987654])
    assert table("tags") == [*before, {"id": pk, "name": "a"}]


def test_keys_and_batches_as_callers_give_them(matrix):
    info = project_schema().collection("tags")
    assert changes_by_key(info, [{"id": "7", "name": "x"}]) == [(7, {"name": "x"})]
    assert changes_by_key(info, [{"id": "7"}], key_of=str) == [("7", {})]
    for payloads in ([{"name": "x"}], [{"id": ""}], ["7"]):
        with pytest.raises(errors.UnprocessableEntity):
            changes_by_key(info, payloads)
    with pytest.raises(errors.InvalidPayload):
        check_batch([])


# Read-back ------------------------------------------------------------------------------------


def test_graphql_reads_back_an_update_as_rest_does(matrix, admin):
    rest, graphql = article(1, "REST"), article(1, "GraphQL")
    response = admin.patch(matrix.url(f"items/articles/{rest}"), {"status": "deleted"}, format="json")
    assert response.status_code == 204  # soft-deleted: gone for GET, so gone for the read-back
    query = 'mutation($id: Int!) { update_articles_item(id: $id, data: {status: "deleted"}) { id } }'
    response = gql(admin, matrix, query, {"id": graphql})
    assert response.json() == {"data": {"update_articles_item": None}}
    statuses = {row["id"]: row["status"] for row in table("articles")}
    assert statuses[rest] == statuses[graphql] == "deleted"


# Revisions ------------------------------------------------------------------------------------


def test_revisions_of_a_system_row_are_the_same_through_every_route(matrix, admin, member):
    (file_id,) = files(1)
    admin.patch(matrix.url(f"files/{file_id}"), {"title": "Quarterly"}, format="json")
    admin.patch(matrix.url(f"users/{matrix.colleague}"), {"first_name": "Colin"}, format="json")
    hook = admin.post(
        matrix.url("webhooks"),
        {
            "status": "inactive",
            "http_action": "post",
            "url": "https://hooks.example.com/x",
            "collection": "articles",
            "directus_action": "item.create:after",
        },
        format="json",
    ).json()["data"]["id"]
    routes = {
        f"files/{file_id}/revisions": f"items/directus_files/{file_id}/revisions",
        f"users/{matrix.colleague}/revisions": f"items/directus_users/{matrix.colleague}/revisions",
        f"webhooks/{hook}/revisions": f"items/directus_webhooks/{hook}/revisions",
    }
    allow(matrix, ("directus_revisions", None, {"read": "full"}), ("directus_users", None, {"read": "full"}))
    for client in (admin, member):
        for own, generic in routes.items():
            for suffix, params in (("", {"meta": "*", "sort": "-id"}), ("/0", {"fields": "id,data", "meta": "*"})):
                ours, theirs = (client.get(matrix.url(path + suffix), params) for path in (own, generic))
                assert ours.status_code == theirs.status_code, (own, ours.content, theirs.content)
                assert without_links(ours.json()) == without_links(theirs.json())
            if ours.status_code != 200:
                # The member reads users, not files or webhooks: their revisions look missing, as they do.
                assert client is member and ours.json()["error"]["code"] == 203
                assert_error(client.get(matrix.url(own.removesuffix("/revisions"))), 404, 203)


def without_links(body: dict) -> dict:
    """A response without the links of `meta.page`, which name the route asked."""
    meta = body.get("meta")
    return {**body, "meta": {key: value for key, value in meta.items() if key != "links"}} if meta else body


# The guard ------------------------------------------------------------------------------------


def identity_of(user_id: int) -> Identity:
    user = User.objects.get(pk=user_id)
    return Identity(user=user, role_id=user.role)


def test_the_guard_restricts_querysets(matrix):
    mine, theirs = article(matrix.member, "Mine"), article(matrix.colleague, "Theirs")
    info = project_schema().collection("articles")
    rows = project_schema().model("articles").objects.filter(pk__in=[mine, theirs])

    def visible(guard) -> set[int]:
        return set(guard.restrict(rows, info).values_list("pk", flat=True))

    allow(matrix, ("articles", None, {"read": "mine"}))
    assert visible(PermissionGuard(identity_of(matrix.member))) == {mine}
    allow(matrix, ("articles", None, {"read": "none"}))
    assert visible(PermissionGuard(identity_of(matrix.member))) == set()
    assert visible(PermissionGuard(identity_of(1))) == visible(Guard()) == {mine, theirs}


def test_a_comment_makes_a_new_guard(matrix):
    allow(matrix, ("articles", None, {"read": "full", "update": "full", "explain": "update"}))
    info = project_schema().collection("articles")
    current = {"id": article(matrix.member, "Mine"), "status": "draft", "owner": matrix.member}
    guard = PermissionGuard(identity_of(matrix.member))
    commented = guard.for_comment("why")
    commented.check_update(info, current, {"title": "x"}, soft_delete=False)
    with pytest.raises(errors.Forbidden):
        guard.check_update(info, current, {"title": "x"}, soft_delete=False)
    assert commented.statement_key() == guard.statement_key()


def test_own_user_row_is_given_when_the_guard_is_made(matrix):
    allow(matrix, ("directus_users", None, {"read": "full"}))
    info = project_schema().collection("directus_users")
    everyone = PermissionGuard(identity_of(matrix.member))
    own = PermissionGuard(identity_of(matrix.member), own_user_row=True)
    assert "token" not in everyone.readable_fields(info)
    assert "token" in own.readable_fields(info) and "password" not in own.readable_fields(info)
    assert own.statement_key() != everyone.statement_key()
