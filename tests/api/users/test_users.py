"""/:project/users (users.md): reads, writes, the users' own rules, deviation 15."""

import uuid

from django.utils import timezone

from apps.activity.models import Activity
from apps.auth.models import UserSession
from apps.core.passwords import check_password
from apps.permissions.models import Permission
from apps.revisions.models import Revision
from apps.schema.cache import config_changed
from apps.users.models import User
from tests.conftest import ADMIN_EMAIL
from tests.helpers import assert_error

from .factories import EDITOR_TOKEN, client_with_token, make_user, set_setting

SECRETS = {"password", "token", "2fa_secret", "password_reset_token"}
PRIVATE = {"token", "email_notifications", "last_access_on", "last_page", "2fa_secret", "password_reset_token"}


def snapshot() -> list[dict]:
    return list(User.objects.order_by("pk").values())


# -- reads --------------------------------------------------------------------------------------


def test_admin_lists_and_reads_users(admin_api, url, editor):
    deleted = make_user("gone@example.com", status="deleted")
    body = admin_api.get(url("users"), {"meta": "result_count"}).json()
    ids = [row["id"] for row in body["data"]]
    assert 1 in ids and editor.pk in ids and deleted.pk not in ids  # soft-deleted hidden
    assert body["meta"]["result_count"] == len(ids)
    assert all("password" not in row for row in body["data"])
    assert deleted.pk in [row["id"] for row in admin_api.get(url("users"), {"status": "*"}).json()["data"]]

    many = admin_api.get(url(f"users/me,{editor.pk}"), {"fields": "id,email"}).json()["data"]
    assert many == [{"id": 1, "email": ADMIN_EMAIL}, {"id": editor.pk, "email": editor.email}]
    one = admin_api.get(url(f"users/{editor.pk}")).json()["data"]
    assert one["token"] == EDITOR_TOKEN  # admins see private fields of everyone
    assert_error(admin_api.get(url("users/999999")), 404, 203)
    assert_error(admin_api.get(url("users/abc")), 404, 203)


def test_the_public_reads_no_user(api, url, project):
    assert_error(api.get(url("users")), 401, 3)
    assert_error(api.get(url("users/1")), 404, 203)  # a denied single read looks missing (permissions.md)


def test_non_admins_read_active_users_and_private_fields_only_of_themselves(editor_api, editor, url):
    other = make_user("other@example.com", role=editor.role, token="other-token", last_page="/x")
    draft = make_user("draft@example.com", role=editor.role, status="draft")
    suspended = make_user("suspended@example.com", status="suspended")
    rows = {row["id"]: row for row in editor_api.get(url("users")).json()["data"]}
    assert {1, editor.pk, other.pk} <= set(rows)
    assert draft.pk not in rows and suspended.pk not in rows
    # Lists never carry them for non-admins (not even the caller's own row): see the filter test.
    assert not any(PRIVATE & set(row) for row in rows.values())
    own = editor_api.get(url("users/me")).json()["data"]
    assert own["token"] == EDITOR_TOKEN and "last_page" in own and "password" not in own
    assert editor_api.get(url(f"users/{editor.pk}"), {"fields": "id,token"}).json()["data"] == {
        "id": editor.pk,
        "token": EDITOR_TOKEN,
    }
    assert not PRIVATE & set(editor_api.get(url(f"users/{other.pk}")).json()["data"])
    assert_error(editor_api.get(url(f"users/{other.pk}"), {"fields": "id,token"}), 403, 304)
    assert_error(editor_api.get(url(f"users/me,{other.pk}"), {"fields": "id,last_page"}), 403, 304)
    assert_error(editor_api.get(url(f"users/{draft.pk}")), 404, 203)
    # Users expanded inside the caller's own row are other people: their private fields stay out.
    expanded = editor_api.get(url("users/me"), {"fields": "id,token,role.users.*"}).json()["data"]
    assert expanded["token"] == EDITOR_TOKEN
    assert {row["id"] for row in expanded["role"]["users"]} >= {editor.pk, other.pk}
    assert not any(PRIVATE & set(row) for row in expanded["role"]["users"] if row["id"] != editor.pk)
    # Expanded users (here through the activity log) follow the same rule.
    Activity.objects.create(
        action="update",
        action_by=other.pk,
        action_on=timezone.now(),
        collection="directus_users",
        item=str(other.pk),
        ip="",
        user_agent="",
    )
    Permission.objects.filter(role=editor.role, collection="directus_activity").update(read="full")
    config_changed(Permission.objects.db)  # .update() sends no signal
    activity = editor_api.get(url("activity"), {"fields": "action_by.*", "sort": "-id", "limit": 1}).json()
    assert activity["data"][0]["action_by"]["email"] == other.email
    assert not PRIVATE & set(activity["data"][0]["action_by"])


def test_non_admins_cannot_filter_sort_or_search_by_private_fields(editor_api, editor, url):
    make_user("other@example.com", role=editor.role, token="other-secret-token")
    for params in (
        {"filter[token][contains]": "secret"},
        {"filter[password][nnull]": "1"},
        {"filter[2fa_secret][null]": "1"},
        {"filter[role.users.token][contains]": "secret"},
        {"sort": "-token"},
        {"sort": "last_access_on"},
    ):
        assert_error(editor_api.get(url("users"), params), 403, 304)
    assert editor_api.get(url("users"), {"q": "other-secret"}).json()["data"] == []  # token not searched
    assert [row["id"] for row in editor_api.get(url("users"), {"q": "other@"}).json()["data"]] != []


# -- create -------------------------------------------------------------------------------------


def test_create_hashes_the_password_and_fills_defaults(admin_api, url):
    response = admin_api.post(
        url("users"), {"email": "new@example.com", "password": "s3cret-pass", "first_name": "New"}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert "password" not in data
    assert data["status"] == "draft" and data["role"] is None and data["first_name"] == "New"
    assert str(uuid.UUID(data["external_id"])) == data["external_id"]
    stored = User.objects.get(pk=data["id"])
    assert stored.password.startswith("$2y$") and check_password("s3cret-pass", stored.password)
    log = Activity.objects.filter(collection="directus_users", item=str(data["id"])).values_list("action", flat=True)
    assert list(log) == ["create"]
    revision = Revision.objects.get(collection="directus_users", item=str(data["id"]))
    assert not SECRETS & set(revision.data) and not SECRETS & set(revision.delta)

    many = admin_api.post(url("users"), [{"email": "a@example.com"}, {"email": "b@example.com"}], format="json")
    assert [row["email"] for row in many.json()["data"]] == ["a@example.com", "b@example.com"]


def test_create_validation(admin_api, url):
    before = snapshot()
    assert_error(admin_api.post(url("users"), {"first_name": "No email"}, format="json"), 422, 4)
    assert_error(admin_api.post(url("users"), {"email": "not-an-email"}, format="json"), 422, 4)
    assert_error(admin_api.post(url("users"), {"email": ADMIN_EMAIL.upper()}, format="json"), 409, 204)
    assert_error(admin_api.post(url("users"), {"email": "x@example.com", "nope": 1}, format="json"), 422, 12)
    assert_error(admin_api.post(url("users"), {"email": "x@example.com", "status": "boss"}, format="json"), 422, 4)
    assert_error(admin_api.post(url("users"), {"email": "x@example.com", "password": ""}, format="json"), 422, 4)
    assert_error(admin_api.post(url("users"), [{"email": "ok@example.com"}, {"email": "bad"}], format="json"), 422, 4)
    assert_error(admin_api.post(url("users"), [], format="json"), 400, 13)
    assert snapshot() == before  # nothing of a refused request is written


def test_password_policy(admin_api, url, editor_api, editor):
    set_setting("password_policy", "/^.{8,}$/")
    assert_error(admin_api.post(url("users"), {"email": "p@example.com", "password": "short"}, format="json"), 422, 4)
    assert (
        admin_api.post(url("users"), {"email": "p@example.com", "password": "long enough"}, format="json").status_code
        == 200
    )
    assert_error(editor_api.patch(url("users/me"), {"password": "short"}, format="json"), 422, 4)
    assert editor_api.patch(url("users/me"), {"password": "long enough"}, format="json").status_code == 200
    set_setting("password_policy", "/^(?=.*[A-Z])(?=.*\\d).+$/")
    assert_error(editor_api.patch(url("users/me"), {"password": "nouppercase1"}, format="json"), 422, 4)
    assert editor_api.patch(url("users/me"), {"password": "Upper1"}, format="json").status_code == 200
    assert check_password("Upper1", User.objects.get(pk=editor.pk).password)


# -- update -------------------------------------------------------------------------------------


def test_update_forms(admin_api, url, editor):
    other = make_user("other@example.com")
    response = admin_api.patch(url(f"users/{editor.pk}"), {"first_name": "Edna"}, format="json")
    assert response.json()["data"]["first_name"] == "Edna"
    both = admin_api.patch(url(f"users/{editor.pk},{other.pk}"), {"title": "Writer"}, format="json").json()["data"]
    assert [row["title"] for row in both] == ["Writer", "Writer"]
    batch = [{"id": editor.pk, "company": "A"}, {"id": other.pk, "company": "B"}]
    assert [row["company"] for row in admin_api.patch(url("users"), batch, format="json").json()["data"]] == ["A", "B"]
    assert admin_api.patch(url("users/me"), {"last_name": "Root"}, format="json").json()["data"]["last_name"] == "Root"
    assert_error(admin_api.patch(url(f"users/{other.pk}"), {"email": editor.email}, format="json"), 409, 204)
    assert_error(admin_api.patch(url(f"users/{other.pk}"), {"email": "nope"}, format="json"), 422, 4)
    assert_error(admin_api.patch(url("users/999999"), {"title": "x"}, format="json"), 404, 203)
    assert_error(admin_api.patch(url("users"), [{"company": "no id"}], format="json"), 422, 12)


def test_status_change_writes_a_status_update_row(admin_api, url, editor):
    response = admin_api.patch(url(f"users/{editor.pk}"), {"status": "suspended"}, format="json")
    assert response.status_code == 200 and response.json()["data"]["status"] == "suspended"
    rows = Activity.objects.filter(collection="directus_users", item=str(editor.pk)).order_by("id")
    assert [(row.action, row.action_by) for row in rows] == [("update", 1), ("status-update", editor.pk)]
    # The suspended user's token is refused with its code.
    assert_error(client_with_token(EDITOR_TOKEN).get(url("users/me")), 401, 103)
    admin_api.patch(url(f"users/{editor.pk}"), {"status": "deleted"}, format="json")
    assert_error(client_with_token(EDITOR_TOKEN).get(url("users/me")), 401, 103)


def test_password_update_is_hashed_and_kept_out_of_revisions(admin_api, url, editor):
    User.objects.filter(pk=editor.pk).update(password_reset_token="pending-reset-jwt")
    assert admin_api.patch(url(f"users/{editor.pk}"), {"password": "changed-pass"}, format="json").status_code == 200
    assert check_password("changed-pass", User.objects.get(pk=editor.pk).password)
    assert User.objects.get(pk=editor.pk).password_reset_token is None  # pending reset links die
    revision = Revision.objects.filter(collection="directus_users", item=str(editor.pk)).order_by("-id").first()
    assert not SECRETS & set(revision.data) and not SECRETS & set(revision.delta or {})


# -- the last admin -----------------------------------------------------------------------------


def test_the_last_active_admin_stays(admin_api, url):
    before = snapshot()
    assert_error(admin_api.patch(url("users/me"), {"status": "suspended"}, format="json"), 403, 216)
    assert_error(admin_api.patch(url("users/1"), {"role": 2}, format="json"), 403, 216)
    assert_error(admin_api.patch(url("users"), [{"id": 1, "status": "draft"}], format="json"), 403, 216)
    assert_error(admin_api.delete(url("users/1")), 403, 216)
    assert snapshot() == before

    second = make_user("second-admin@example.com", role=1)
    assert_error(admin_api.patch(url(f"users/1,{second.pk}"), {"status": "suspended"}, format="json"), 403, 216)
    assert snapshot()[0] == before[0]  # the batch is all-or-nothing
    assert admin_api.patch(url(f"users/{second.pk}"), {"status": "suspended"}, format="json").status_code == 200
    assert_error(admin_api.delete(url("users/1")), 403, 216)
    admin_api.patch(url(f"users/{second.pk}"), {"status": "active"}, format="json")
    assert admin_api.delete(url(f"users/{second.pk}")).status_code == 204


# -- deviation 15 -------------------------------------------------------------------------------


def test_non_admins_never_write_protected_user_columns(editor_api, editor, url):
    before = snapshot()
    protected = {
        "role": 1,
        "status": "active",
        "token": "mine-now",
        "password_reset_token": "x",
        "2fa_secret": "JBSWY3DPEHPK3PXP",
        "external_id": "x",
    }
    for name, value in protected.items():
        assert_error(editor_api.patch(url("users/me"), {name: value}, format="json"), 403, 305)
        assert_error(editor_api.patch(url(f"users/{editor.pk}"), {name: value}, format="json"), 403, 305)
        assert_error(editor_api.patch(url("users"), [{"id": editor.pk, name: value}], format="json"), 403, 305)
    assert_error(editor_api.patch(url("users/me"), {"role": {"id": 1}}, format="json"), 403, 305)
    assert snapshot() == before
    assert editor_api.patch(url("users/me"), {"first_name": "Ed"}, format="json").json()["data"]["first_name"] == "Ed"


def test_even_generous_rows_do_not_open_protected_columns(editor_api, editor, url):
    Permission.objects.filter(role=editor.role, collection="directus_users").update(
        create="full", read="full", update="full", delete="full"
    )
    config_changed(Permission.objects.db)  # .update() sends no signal
    other = make_user("other@example.com", role=editor.role)
    before = snapshot()
    assert_error(editor_api.patch(url(f"users/{other.pk}"), {"password": "taken-over"}, format="json"), 403, 305)
    assert_error(editor_api.patch(url(f"users/{other.pk}"), {"token": "taken-over"}, format="json"), 403, 305)
    assert_error(editor_api.patch(url(f"users/me,{other.pk}"), {"role": 1}, format="json"), 403, 305)
    assert_error(editor_api.post(url("users"), {"email": "boss@example.com", "role": 1}, format="json"), 403, 305)
    assert_error(
        editor_api.post(url("users"), {"email": "pw@example.com", "password": "x12345678"}, format="json"), 403, 305
    )
    assert_error(
        editor_api.post(url("users"), {"email": "on@example.com", "status": "active"}, format="json"), 403, 305
    )
    assert snapshot() == before
    assert editor_api.patch(url(f"users/{other.pk}"), {"title": "Colleague"}, format="json").status_code == 200
    created = editor_api.post(url("users"), {"email": "plain@example.com"}, format="json").json()["data"]
    assert created["status"] == "draft" and created["role"] is None


def test_default_rows_let_users_edit_only_their_own_row(editor_api, editor, url):
    other = make_user("other@example.com", role=editor.role)
    assert_error(editor_api.patch(url(f"users/{other.pk}"), {"title": "x"}, format="json"), 403, 302)
    assert_error(editor_api.patch(url("users/1"), {"title": "x"}, format="json"), 403, 302)
    assert_error(editor_api.post(url("users"), {"email": "n@example.com"}, format="json"), 403, 301)
    assert_error(editor_api.delete(url("users/me")), 403, 303)  # delete `mine` needs an owner field
    assert_error(editor_api.delete(url(f"users/{other.pk}")), 403, 303)
    assert User.objects.filter(pk__in=[editor.pk, other.pk]).count() == 2


# -- delete -------------------------------------------------------------------------------------


def test_delete(admin_api, url, editor):
    UserSession.objects.create(user=editor.pk, token_type="jwt", token="t")
    first, second = make_user("a@example.com"), make_user("b@example.com")
    assert admin_api.delete(url(f"users/{editor.pk}")).status_code == 204
    assert not User.objects.filter(pk=editor.pk).exists()
    assert not UserSession.objects.filter(user=editor.pk).exists()
    assert Activity.objects.filter(action="delete", collection="directus_users", item=str(editor.pk)).exists()
    # The deleted user's token is refused as invalid.
    assert_error(client_with_token(EDITOR_TOKEN).get(url("users/me")), 401, 101)
    assert admin_api.delete(url(f"users/{first.pk},{second.pk}")).status_code == 204
    assert not User.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert_error(admin_api.delete(url("users/999999")), 404, 203)


# -- tracking, revisions, protections --------------------------------------------------------------


def test_tracking_page(editor_api, editor, url, api):
    activity_before = Activity.objects.count()
    response = editor_api.patch(url("users/me/tracking/page"), {"last_page": "/p/collections/x"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["last_page"] == "/p/collections/x"
    stored = User.objects.get(pk=editor.pk)
    assert stored.last_page == "/p/collections/x" and stored.last_access_on is not None
    assert Activity.objects.count() == activity_before  # no activity
    assert_error(editor_api.patch(url("users/1/tracking/page"), {"last_page": "/x"}, format="json"), 403, 302)
    assert_error(editor_api.patch(url("users/me/tracking/page"), {"last_page": 5}, format="json"), 422, 4)
    assert_error(editor_api.patch(url("users/me/tracking/page"), {"last_page": "x" * 193}, format="json"), 422, 12)
    assert_error(api.patch(url("users/me/tracking/page"), {"last_page": "/x"}, format="json"), 401, 3)


def test_revisions_of_a_user(admin_api, editor_api, editor, url, api):
    admin_api.patch(url(f"users/{editor.pk}"), {"first_name": "One"}, format="json")
    admin_api.patch(url(f"users/{editor.pk}"), {"first_name": "Two", "password": "x-secret"}, format="json")
    rows = admin_api.get(url(f"users/{editor.pk}/revisions")).json()["data"]
    assert [row["delta"] for row in rows] == [{"first_name": "One"}, {"first_name": "Two"}]
    assert all(not SECRETS & set(row["data"]) for row in rows)
    assert admin_api.get(url(f"users/{editor.pk}/revisions/1")).json()["data"]["delta"] == {"first_name": "Two"}
    assert_error(admin_api.get(url(f"users/{editor.pk}/revisions/5")), 404, 203)
    assert editor_api.get(url("users/me/revisions")).json()["data"][0]["delta"] == {"first_name": "One"}
    admin_api.patch(url("users/me"), {"last_page": "/admin/secret-place"}, format="json")
    admins = editor_api.get(url("users/1/revisions")).json()["data"]
    assert admins and all("last_page" not in row["data"] and "last_page" not in row["delta"] for row in admins)
    draft = make_user("draft@example.com", status="draft")
    assert_error(editor_api.get(url(f"users/{draft.pk}/revisions")), 404, 203)
    assert_error(api.get(url(f"users/{editor.pk}/revisions")), 401, 3)


def test_ip_whitelist_of_the_role(editor_api, editor, url):
    from apps.roles.models import Role

    Role.objects.filter(pk=editor.role).update(ip_whitelist=["10.1.2.3"])
    config_changed(Role.objects.db)  # .update() sends no signal
    assert_error(editor_api.get(url("users/me")), 401, 19)
    Role.objects.filter(pk=editor.role).update(ip_whitelist=["127.0.0.1"])
    config_changed(Role.objects.db)  # .update() sends no signal
    assert editor_api.get(url("users/me")).status_code == 200


def test_a_jwt_of_a_deleted_user_is_refused(admin_api, url, project, editor):
    from apps.auth import tokens

    token = tokens.issue_access_token(project, editor.pk, 20)
    assert client_with_token(token).get(url("users/me")).json()["data"]["id"] == editor.pk
    admin_api.delete(url(f"users/{editor.pk}"))
    assert_error(client_with_token(token).get(url("users/me")), 401, 101)
