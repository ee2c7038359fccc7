"""/:project/permissions (permissions.md): CRUD, the caller's rows, and a role never editing its
own rows."""

from apps.activity.models import Activity
from apps.permissions.models import Permission
from apps.roles.models import Role
from apps.schema.cache import config_changed
from tests.api.users.factories import grant
from tests.helpers import assert_error

PERMISSION_KEYS = [
    "id",
    "collection",
    "role",
    "status",
    "create",
    "read",
    "update",
    "delete",
    "comment",
    "explain",
    "read_field_blacklist",
    "write_field_blacklist",
    "status_blacklist",
]


def rows() -> list[dict]:
    return list(Permission.objects.order_by("pk").values())


def other_role() -> int:
    return Role.objects.create(name="Others").pk


def test_read_permissions(admin_api, url, editor):
    row = grant(editor.role, "articles", read="mine", read_field_blacklist=["body", "rating"])
    response = admin_api.get(url(f"permissions/{row.pk}"))
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert sorted(data) == sorted(PERMISSION_KEYS)
    assert data["read_field_blacklist"] == ["body", "rating"] and data["write_field_blacklist"] == []
    assert data["read"] == "mine" and data["status"] is None and data["role"] == editor.role
    listed = admin_api.get(url("permissions"), {"limit": -1}).json()["data"]
    assert row.pk in [item["id"] for item in listed]
    first, second = Permission.objects.filter(role=editor.role).order_by("pk")[:2]
    both = admin_api.get(url(f"permissions/{first.pk},{second.pk}"), {"fields": "id"}).json()["data"]
    assert both == [{"id": first.pk}, {"id": second.pk}]
    assert_error(admin_api.get(url("permissions/999999")), 404, 203)


def test_non_admins_read_the_rows_of_their_role(editor_api, editor, url, api):
    other = other_role()
    grant(other, "articles", read="full")
    listed = editor_api.get(url("permissions"), {"limit": -1}).json()["data"]
    assert listed and {item["role"] for item in listed} == {editor.role}
    foreign = Permission.objects.filter(role=other).first()
    assert_error(editor_api.get(url(f"permissions/{foreign.pk}")), 404, 203)
    assert_error(api.get(url("permissions")), 401, 3)


def test_create_update_delete(admin_api, url, editor):
    response = admin_api.post(url("permissions"), {"collection": "articles", "role": editor.role}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert [data[name] for name in ("create", "read", "update", "delete", "comment", "explain")] == ["none"] * 6
    assert data["read_field_blacklist"] == [] and data["status"] is None
    assert Activity.objects.filter(action="create", collection="directus_permissions", item=str(data["id"])).exists()

    batch = [
        {"collection": "articles", "role": editor.role, "status": "draft", "read": "full"},
        {"collection": "comments", "role": editor.role, "write_field_blacklist": "text,article"},
    ]
    created = admin_api.post(url("permissions"), batch, format="json").json()["data"]
    assert [row["status"] for row in created] == ["draft", None]
    assert created[1]["write_field_blacklist"] == ["text", "article"]
    ids = [data["id"], created[0]["id"], created[1]["id"]]

    one = admin_api.patch(url(f"permissions/{ids[0]}"), {"read": "role", "read_field_blacklist": ["x"]}, format="json")
    assert one.json()["data"]["read"] == "role" and one.json()["data"]["read_field_blacklist"] == ["x"]
    csv = admin_api.patch(url(f"permissions/{ids[0]},{ids[1]}"), {"update": "mine"}, format="json").json()["data"]
    assert [row["update"] for row in csv] == ["mine", "mine"]
    array = [{"id": ids[1], "delete": "full"}, {"id": ids[2], "comment": "create"}]
    updated = admin_api.patch(url("permissions"), array, format="json").json()["data"]
    assert updated[0]["delete"] == "full" and updated[1]["comment"] == "create"

    assert admin_api.delete(url(f"permissions/{ids[0]}")).status_code == 204
    assert not Permission.objects.filter(pk=ids[0]).exists()
    assert_error(admin_api.delete(url(f"permissions/{ids[1]},{ids[2]}")), 404, 203)
    assert_error(admin_api.delete(url(f"permissions/{ids[0]}")), 404, 203)


def test_validation(admin_api, url, editor):
    before = rows()
    post = lambda body: admin_api.post(url("permissions"), body, format="json")  # noqa: E731
    assert_error(post({"role": editor.role}), 422, 4)
    assert_error(post({"collection": "articles"}), 422, 4)
    assert_error(post({"collection": "articles", "role": 999999}), 422, 4)
    assert_error(post({"collection": "articles", "role": editor.role, "read": "everything"}), 422, 4)
    assert_error(post({"collection": "articles", "role": editor.role, "comment": "mine"}), 422, 4)
    assert_error(post({"collection": "articles", "role": editor.role, "explain": "sometimes"}), 422, 4)
    assert_error(post({"collection": "articles", "role": editor.role, "color": "x"}), 422, 12)
    assert_error(
        post([{"collection": "a", "role": editor.role}, {"collection": "b", "role": editor.role, "read": "?"}]), 422, 4
    )
    row = Permission.objects.filter(role=editor.role).first()
    assert_error(admin_api.patch(url(f"permissions/{row.pk}"), {"update": "all"}, format="json"), 422, 4)
    assert rows() == before


def test_my_permissions(editor_api, editor, url, admin_api, api):
    mine = editor_api.get(url("permissions/me"))
    assert mine.status_code == 200
    assert {row["role"] for row in mine.json()["data"]} == {editor.role}
    assert len(mine.json()["data"]) == Permission.objects.filter(role=editor.role).count()

    settings = editor_api.get(url("permissions/me/directus_settings")).json()["data"]
    assert isinstance(settings, dict) and settings["collection"] == "directus_settings" and settings["read"] == "full"
    users = editor_api.get(url("permissions/me/directus_users")).json()["data"]
    assert sorted(row["status"] for row in users) == ["active", "deleted", "draft", "invited", "suspended"]
    assert editor_api.get(url("permissions/me/nothing_here")).json()["data"] == []
    grant(editor.role, "articles", status="$custom", read="full")
    assert [row["status"] for row in editor_api.get(url("permissions/me/articles")).json()["data"]] == ["$custom"]

    assert admin_api.get(url("permissions/me")).json()["data"] == []
    grant(2, "articles", read="full")
    public = api.get(url("permissions/me")).json()
    assert public["public"] is True and [row["collection"] for row in public["data"]] == ["articles"]
    assert api.get(url("permissions/me/articles")).json()["data"]["read"] == "full"


def test_a_role_never_edits_its_own_permissions(editor_api, editor, url):
    Permission.objects.filter(role=editor.role, collection="directus_permissions").update(
        create="full", read="full", update="full", delete="full"
    )
    config_changed(Permission.objects.db)  # .update() sends no signal
    other = other_role()
    own_row = Permission.objects.filter(role=editor.role, collection="directus_files").first()
    before = rows()
    assert_error(editor_api.post(url("permissions"), {"collection": "x", "role": editor.role}, format="json"), 403, 301)
    assert_error(editor_api.patch(url(f"permissions/{own_row.pk}"), {"read": "none"}, format="json"), 403, 302)
    assert_error(editor_api.patch(url("permissions"), [{"id": own_row.pk, "read": "none"}], format="json"), 403, 302)
    assert_error(editor_api.delete(url(f"permissions/{own_row.pk}")), 403, 303)
    assert rows() == before

    # Rows of other roles follow the rows' levels.
    created = editor_api.post(url("permissions"), {"collection": "x", "role": other, "read": "full"}, format="json")
    assert created.status_code == 200, created.content
    row_id = created.json()["data"]["id"]
    assert_error(editor_api.patch(url(f"permissions/{row_id}"), {"role": editor.role}, format="json"), 403, 302)
    assert editor_api.patch(url(f"permissions/{row_id}"), {"read": "mine"}, format="json").status_code == 200
    assert editor_api.delete(url(f"permissions/{row_id}")).status_code == 204


def test_writes_need_permission(editor_api, editor, url):
    other = other_role()
    row = grant(other, "articles", read="full")
    before = rows()
    assert_error(editor_api.post(url("permissions"), {"collection": "x", "role": other}, format="json"), 403, 301)
    assert_error(editor_api.patch(url(f"permissions/{row.pk}"), {"read": "none"}, format="json"), 403, 302)
    assert_error(editor_api.delete(url(f"permissions/{row.pk}")), 403, 303)
    assert rows() == before
