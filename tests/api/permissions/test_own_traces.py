"""A non-admin leaves a trace of every write and picks only passwords, never their hashes
(deviation 22; the password policy of users.md)."""

from rest_framework.test import APIClient

from apps.activity.models import Activity
from apps.core.passwords import hash_password
from apps.settings.models import Setting
from apps.users.models import User
from tests.api.permissions.matrix import allow
from tests.api.users.factories import client_with_token
from tests.helpers import error_of


def test_only_admins_skip_activity(matrix, member):
    allow(matrix, ("articles", None, {"create": "full", "read": "full"}))
    response = member.post(matrix.url("items/articles?activity_skip=1"), {"title": "Traced"}, format="json")
    assert response.status_code == 200, response.content
    pk = str(response.json()["data"]["id"])
    assert Activity.objects.filter(collection="articles", item=pk, action_by=matrix.member).count() == 1
    admin = client_with_token("admin-static-token")
    quiet = admin.post(matrix.url("items/articles?activity_skip=1"), {"title": "Quiet"}, format="json")
    assert not Activity.objects.filter(collection="articles", item=str(quiet.json()["data"]["id"])).exists()


def test_a_non_admin_cannot_set_a_ready_hash_as_password(matrix, member):
    """With a policy of 12 characters, a hash of "weak" (60 characters) passes the policy as text;
    it must be taken as the password typed, not as the hash of "weak"."""
    Setting.objects.update_or_create(key="password_policy", defaults={"value": "/^.{12,}$/"})
    ready = hash_password("weak")
    allow(matrix, ("directus_users", "active", {"read": "full", "update": "mine"}))
    User.objects.filter(pk=matrix.member).update(email="member@example.com")
    response = member.patch(matrix.url("users/me"), {"password": ready}, format="json")
    assert response.status_code == 200, response.content
    assert User.objects.get(pk=matrix.member).password != ready
    login = APIClient().post(
        matrix.url("auth/authenticate"), {"email": "member@example.com", "password": "weak"}, format="json"
    )
    assert error_of(login) == (404, 100), login.content
    typed = APIClient().post(
        matrix.url("auth/authenticate"), {"email": "member@example.com", "password": ready}, format="json"
    )
    assert typed.status_code == 200, typed.content


def test_an_admin_may_import_a_ready_hash(matrix):
    admin = client_with_token("admin-static-token")
    ready = hash_password("imported password")
    response = admin.patch(matrix.url(f"users/{matrix.colleague}"), {"password": ready}, format="json")
    assert response.status_code == 200, response.content
    assert User.objects.get(pk=matrix.colleague).password == ready
