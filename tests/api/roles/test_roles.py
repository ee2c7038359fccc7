"""/:project/roles (roles.md)."""

import uuid

from apps.activity.models import Activity
from apps.permissions.models import Permission
from apps.permissions.services import DEFAULT_ROWS
from apps.revisions.models import Revision
from apps.roles.models import Role
from apps.users.models import User
from tests.api.users.factories import make_user
from tests.helpers import assert_error

ROLE_KEYS = [
    "id",
    "name",
    "description",
    "ip_whitelist",
    "external_id",
    "module_listing",
    "collection_listing",
    "enforce_2fa",
]


def roles() -> list[dict]:
    return list(Role.objects.order_by("pk").values())


def test_admin_lists_and_reads_roles(admin_api, url, editor, schema):
    data = admin_api.get(url("roles")).json()["data"]
    assert [row["id"] for row in data][:3] == [1, 2, editor.role]
    assert sorted(data[0]) == sorted(ROLE_KEYS) and data[0]["ip_whitelist"] == []
    both = admin_api.get(url("roles/1,2"), {"fields": "id,name"}).json()["data"]
    assert both == [{"id": 1, "name": "Administrator"}, {"id": 2, "name": "Public"}]
    # `users` is an O2M alias: only with users.* (or *.*).
    with_users = admin_api.get(url(f"roles/{editor.role}"), {"fields": "id,users.id"}).json()["data"]
    assert with_users == {"id": editor.role, "users": [{"id": editor.pk}]}
    assert "users" not in admin_api.get(url("roles/1")).json()["data"]
    assert_error(admin_api.get(url("roles/999999")), 404, 203)


def test_non_admins_read_only_their_role(editor_api, editor, url, api):
    data = editor_api.get(url("roles")).json()["data"]
    assert [row["id"] for row in data] == [editor.role]
    assert_error(editor_api.get(url("roles/1")), 404, 203)
    assert_error(api.get(url("roles")), 401, 3)


def test_create_a_role_with_its_default_permissions(admin_api, url):
    body = {
        "name": "Interns",
        "description": "Summer",
        "ip_whitelist": "10.0.0.1, 10.0.0.2",
        "enforce_2fa": True,
        "module_listing": [{"name": "Docs", "link": "/docs", "icon": "book"}],
    }
    response = admin_api.post(url("roles"), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert list(data) == ROLE_KEYS
    assert data["ip_whitelist"] == ["10.0.0.1", "10.0.0.2"] and data["enforce_2fa"] is True
    assert data["module_listing"] == body["module_listing"] and data["collection_listing"] is None
    assert str(uuid.UUID(data["external_id"])) == data["external_id"]
    rows = Permission.objects.filter(role=data["id"]).order_by("id")
    got = [(r.collection, r.status, r.create, r.read, r.update, r.delete, r.comment, r.explain) for r in rows]
    assert got == [(*row, "none") for row in DEFAULT_ROWS]
    assert Activity.objects.filter(action="create", collection="directus_roles", item=str(data["id"])).exists()
    assert Revision.objects.filter(collection="directus_roles", item=str(data["id"])).exists()

    array = admin_api.post(url("roles"), {"name": "Array", "ip_whitelist": ["::1"]}, format="json").json()["data"]
    assert array["ip_whitelist"] == ["::1"] and array["enforce_2fa"] is False


def test_create_validation(admin_api, url):
    before = roles()
    permissions = Permission.objects.count()
    assert_error(admin_api.post(url("roles"), {"description": "no name"}, format="json"), 422, 4)
    assert_error(admin_api.post(url("roles"), {"name": ""}, format="json"), 422, 4)
    assert_error(admin_api.post(url("roles"), {"name": "Public"}, format="json"), 409, 204)
    assert_error(admin_api.post(url("roles"), {"name": "administrator"}, format="json"), 409, 204)
    assert_error(admin_api.post(url("roles"), {"name": "X", "color": "red"}, format="json"), 422, 12)
    assert_error(admin_api.post(url("roles"), {"name": "X", "ip_whitelist": "not-an-ip"}, format="json"), 422, 4)
    assert_error(admin_api.post(url("roles"), [{"name": "A"}, {"name": "B"}], format="json"), 400, 13)
    assert roles() == before and Permission.objects.count() == permissions


def test_update(admin_api, url, editor):
    response = admin_api.patch(
        url(f"roles/{editor.role}"), {"description": "Writes", "ip_whitelist": []}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["description"] == "Writes"
    assert Activity.objects.filter(action="update", collection="directus_roles", item=str(editor.role)).exists()
    assert_error(admin_api.patch(url(f"roles/{editor.role}"), {"name": "Public"}, format="json"), 409, 204)
    assert_error(admin_api.patch(url(f"roles/{editor.role}"), {"nope": 1}, format="json"), 422, 12)
    assert_error(admin_api.patch(url("roles/999999"), {"description": "x"}, format="json"), 404, 203)
    assert_error(admin_api.patch(url(f"roles/1,{editor.role}"), {"description": "x"}, format="json"), 404, 203)
    assert Role.objects.get(pk=editor.role).name == "Editor"


def test_delete(admin_api, url, editor):
    assert_error(admin_api.delete(url("roles/1")), 401, 3)
    message = assert_error(admin_api.delete(url("roles/2")), 401, 3)
    assert message == "You are not allowed to delete group [2]"
    assert_error(admin_api.delete(url("roles/999999")), 404, 203)
    rows = Permission.objects.filter(role=editor.role).count()
    assert admin_api.delete(url(f"roles/{editor.role}")).status_code == 204
    assert not Role.objects.filter(pk=editor.role).exists()
    assert User.objects.get(pk=editor.pk).role == editor.role  # no cascade
    assert Permission.objects.filter(role=editor.role).count() == rows
    assert Activity.objects.filter(action="delete", collection="directus_roles", item=str(editor.role)).exists()
    assert Role.objects.filter(pk__in=[1, 2]).count() == 2


def test_writes_need_permission(editor_api, editor, url):
    before = roles()
    assert_error(editor_api.post(url("roles"), {"name": "Mine"}, format="json"), 403, 301)
    assert_error(editor_api.patch(url(f"roles/{editor.role}"), {"enforce_2fa": False}, format="json"), 403, 302)
    assert_error(editor_api.delete(url(f"roles/{editor.role}")), 403, 303)
    assert roles() == before


def test_nested_users_of_a_role(admin_api, url, editor, schema):
    other = make_user("other@example.com")
    response = admin_api.patch(
        url(f"roles/{editor.role}?fields=users.id"), {"users": [{"id": other.pk}]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert {"id": other.pk} in response.json()["data"]["users"]
    assert User.objects.get(pk=other.pk).role == editor.role


def test_the_settings_page_counts_with_a_bare_minus(admin_api, url):
    """The v8 app's Settings page counts roles and activity with `fields=-`: nothing but the key."""
    for path, model in (("roles", Role), ("activity", Activity)):
        response = admin_api.get(url(path), {"fields": "-", "limit": "0", "meta": "total_count"})
        assert response.status_code == 200, response.content
        assert response.json()["data"] == []
        assert response.json()["meta"] == {"total_count": model.objects.count()}
    listed = admin_api.get(url("roles"), {"fields": "-"}).json()["data"]
    assert listed == [{"id": pk} for pk in Role.objects.order_by("pk").values_list("pk", flat=True)]
