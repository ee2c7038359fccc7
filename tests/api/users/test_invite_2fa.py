"""Invitations and the 2FA activation (users.md)."""

import datetime
import re

import jwt
import pytest
from django.core import mail
from django.core.cache import cache

from apps.activity.models import Activity
from apps.auth import tokens
from apps.revisions.models import Revision
from apps.users.models import User
from apps.users.services import TOTP
from tests.conftest import ADMIN_EMAIL, sent_mail
from tests.helpers import assert_error

from .factories import EDITOR_TOKEN, client_with_token, make_editor, make_user, set_setting

SECRET = "JBSWY3DPEHPK3PXP"  # 16 characters, as Directus 8 made them


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()  # OTP counters are keyed by user id, which other tests reuse
    yield
    cache.clear()


def invitation_token(message) -> str:
    return re.search(r"token=([\w.-]+)", message.body).group(1)


# -- invitations ----------------------------------------------------------------------------------


def test_invite_creates_invited_users_and_mails_them(admin_api, url, project):
    set_setting("app_url", "https://app.example.com/")
    make_user("known@example.com", status="active")
    mail.outbox.clear()
    response = admin_api.post(
        url("users/invite"), {"email": ["a@example.com", "b@example.com", "KNOWN@example.com"]}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert [(row["email"], row["status"]) for row in data] == [
        ("a@example.com", "invited"),
        ("b@example.com", "invited"),
        ("known@example.com", "active"),
    ]
    assert sorted(message.to[0] for message in sent_mail()) == ["a@example.com", "b@example.com"]
    message = next(message for message in sent_mail() if message.to == ["a@example.com"])
    assert "https://app.example.com/#/accept-invite?token=" in message.body
    assert message.alternatives and "accept-invite" in message.alternatives[0][0]
    claims = jwt.decode(invitation_token(message), options={"verify_signature": False})
    assert claims["type"] == "invitation" and claims["email"] == "a@example.com" and claims["sender"] == 1
    assert claims["project"] == project.key and "date" in claims and "key" in claims
    assert 29 * 86400 < claims["exp"] - datetime.datetime.now(datetime.UTC).timestamp() <= 30 * 86400
    invited = User.objects.get(email="a@example.com")
    assert Activity.objects.filter(action="create", collection="directus_users", item=str(invited.pk)).exists()

    one = admin_api.post(url("users/invite"), {"email": "c@example.com"}, format="json").json()["data"]
    assert [row["email"] for row in one] == ["c@example.com"]


def test_invite_refusals(admin_api, editor_api, url, api):
    set_setting("app_url", "")
    set_setting("project_url", "")
    before = User.objects.count()
    assert_error(editor_api.post(url("users/invite"), {"email": "a@example.com"}, format="json"), 403, 10)
    assert_error(api.post(url("users/invite"), {"email": "a@example.com"}, format="json"), 403, 10)
    assert_error(admin_api.post(url("users/invite"), {"email": "not-an-email"}, format="json"), 422, 4)
    assert_error(admin_api.post(url("users/invite"), {"email": ["a@example.com", 5]}, format="json"), 422, 4)
    assert_error(admin_api.post(url("users/invite"), {}, format="json"), 422, 4)
    # Without an app or project URL no link can be built: nothing is written.
    assert_error(admin_api.post(url("users/invite"), {"email": "a@example.com"}, format="json"), 500, 503)
    assert User.objects.count() == before


def test_project_url_builds_the_link(admin_api, url):
    set_setting("app_url", "")
    set_setting("project_url", "https://cms.example.com")
    mail.outbox.clear()
    admin_api.post(url("users/invite"), {"email": "a@example.com"}, format="json")
    assert "https://cms.example.com/admin/#/accept-invite?token=" in sent_mail()[0].body


def test_accepting_an_invitation(admin_api, url, api, project):
    set_setting("app_url", "https://app.example.com")
    mail.outbox.clear()
    admin_api.post(url("users/invite"), {"email": "new@example.com"}, format="json")
    token = invitation_token(sent_mail()[0])

    response = api.get(url(f"users/invite/{token}"))
    assert response.status_code == 200, response.content
    assert response.json()["data"]["status"] == "invited"  # as it was before activation
    assert response.json()["data"]["email"] == "new@example.com"
    user = User.objects.get(email="new@example.com")
    assert user.status == "active"
    assert Activity.objects.filter(action="status-update", item=str(user.pk), action_by=user.pk).exists()
    assert_error(api.post(url(f"users/invite/{token}")), 404, 106)  # no longer invited

    assert_error(api.get(url("users/invite/not-a-token")), 401, 101)
    reset = tokens.issue(project, tokens.RESET_PASSWORD, 10, email="new@example.com")
    assert_error(api.get(url(f"users/invite/{reset}")), 401, 101)  # wrong type
    forged = jwt.encode(
        {**jwt.decode(token, options={"verify_signature": False})},
        "another-secret-long-enough-for-hs256-signing",
        "HS256",
    )
    assert_error(api.get(url(f"users/invite/{forged}")), 401, 101)  # signature checked
    expired = tokens.issue(project, tokens.INVITATION, -1, email="new@example.com", sender=1, date="x")
    assert_error(api.get(url(f"users/invite/{expired}")), 401, 102)
    unknown = tokens.issue(project, tokens.INVITATION, 10, email="nobody@example.com", sender=1, date="x")
    assert_error(api.post(url(f"users/invite/{unknown}")), 404, 106)


# -- 2FA ------------------------------------------------------------------------------------------


def test_activate_2fa_while_the_role_enforces_it(url, project, schema):
    editor = make_editor(enforce_2fa=True, two_factor_secret=None)
    client = client_with_token(EDITOR_TOKEN)
    assert_error(client.get(url("users/me")), 401, 113)

    assert_error(client.post(url("users/me/activate_2fa"), {"2fa_secret": SECRET}, format="json"), 422, 4)
    assert_error(client.post(url("users/me/activate_2fa"), {"otp": "123456"}, format="json"), 422, 4)
    assert_error(client.post(url("users/me/activate_2fa"), {"2fa_secret": "!!", "otp": "1"}, format="json"), 422, 4)
    wrong = str((int(TOTP(SECRET).now()) + 500000) % 1000000).zfill(6)
    assert_error(
        client.post(url("users/me/activate_2fa"), {"2fa_secret": SECRET, "otp": wrong}, format="json"), 404, 112
    )
    assert User.objects.get(pk=editor.pk).two_factor_secret is None

    otp = TOTP(SECRET).now()
    response = client.post(url("users/me/activate_2fa"), {"2fa_secret": SECRET, "otp": otp}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["2fa_secret"] == SECRET  # the user themself sees it
    assert User.objects.get(pk=editor.pk).two_factor_secret == SECRET
    assert client.get(url("users/me")).status_code == 200  # enforce_2fa is satisfied now
    revision = Revision.objects.filter(collection="directus_users", item=str(editor.pk)).order_by("-id").first()
    assert "2fa_secret" not in revision.data and "2fa_secret" not in (revision.delta or {})


def test_activate_2fa_of_someone_else(admin_api, editor_api, editor, url, api):
    otp = TOTP(SECRET).now()
    body = {"2fa_secret": SECRET, "otp": otp}
    assert_error(editor_api.post(url("users/1/activate_2fa"), body, format="json"), 403, 305)
    assert_error(api.post(url("users/me/activate_2fa"), body, format="json"), 401, 3)
    assert_error(admin_api.post(url("users/999999/activate_2fa"), body, format="json"), 404, 203)
    assert User.objects.get(email=ADMIN_EMAIL).two_factor_secret is None
    response = admin_api.post(url(f"users/{editor.pk}/activate_2fa"), body, format="json")
    assert response.status_code == 200 and User.objects.get(pk=editor.pk).two_factor_secret == SECRET


def test_otp_attempts_are_throttled(editor_api, url):
    wrong = {"2fa_secret": SECRET, "otp": str((int(TOTP(SECRET).now()) + 500000) % 1000000).zfill(6)}
    codes = [editor_api.post(url("users/me/activate_2fa"), wrong, format="json").status_code for _ in range(6)]
    assert codes == [404] * 5 + [429]
