"""POST /:project/auth/authenticate: jwt and cookie modes, failures, 2FA, payload validation."""

import time

import bcrypt
import pyotp
import pytest

from apps.activity.models import Activity
from apps.auth import tokens
from apps.auth.models import UserSession
from apps.core.passwords import hash_password
from apps.roles.models import Role
from apps.users.models import User, UserStatus
from directus.conf import directus_settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.helpers import error_of

from .conftest import PASSWORD, USER_AGENT, bearer, login, make_user

HIDDEN = {"password", "token", "email_notifications", "last_access_on", "last_page"}
USER_KEYS = {
    "id",
    "status",
    "role",
    "first_name",
    "last_name",
    "email",
    "timezone",
    "locale",
    "locale_options",
    "avatar",
    "company",
    "title",
    "external_id",
    "theme",
    "2fa_secret",
    "password_reset_token",
}


def test_jwt_login_returns_token_and_user(api, url, project):
    issued_after = int(time.time())
    response = login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD)
    issued_before = int(time.time()) + 1

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "public"} and body["public"] is True
    assert set(body["data"]) == {"token", "user"}
    user = body["data"]["user"]
    assert set(user) == USER_KEYS and not HIDDEN & set(user)
    assert user["id"] == 1 and user["email"] == ADMIN_EMAIL and user["role"] == 1
    claims = tokens.decode(project, body["data"]["token"])
    assert claims["id"] == 1 and claims["type"] == "auth" and claims["project"] == project.key
    assert claims["key"] == project.public_key and claims["ttl"] == 20
    # Twenty minutes from the moment of issue, however long the request took.
    assert issued_after + 20 * 60 <= claims["exp"] <= issued_before + 20 * 60


def test_jwt_login_records_session_and_activity(api, url, project):
    token = login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD).json()["data"]["token"]

    session = UserSession.objects.get()
    assert (session.user, session.token_type, session.token) == (1, "jwt", token)
    assert session.ip_address == "127.0.0.1" and session.user_agent == USER_AGENT
    assert session.token_expired_at is not None and session.created_on is not None
    activity = Activity.objects.get(action="authenticate")
    assert (activity.action_by, activity.collection, activity.item) == (1, "directus_users", "1")
    assert activity.ip == "127.0.0.1" and activity.user_agent == USER_AGENT


def test_jwt_authenticates_following_requests(api, url, project):
    token = login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD).json()["data"]["token"]

    assert api.get(url("auth/check"), **bearer(token)).json() == {"data": {"authenticated": True}, "public": True}
    # A route behind the authentication step accepts it (and refuses the anonymous caller).
    assert api.post(url("auth/logout/1/999999"), **bearer(token)).status_code == 204
    assert error_of(api.post(url("auth/logout/1/999999"))) == (401, 108)


def test_cookie_login_sets_session_cookie(api, url, project):
    user = make_user()
    assert user.token is None

    response = login(api, url, user.email, mode="cookie")

    assert response.status_code == 200
    assert set(response.json()["data"]) == {"user"}
    cookie = response.cookies[f"directus-{project.key}-session"]
    assert cookie.value and cookie["httponly"] and cookie["path"] == "/" and cookie["samesite"] == "Lax"
    assert cookie["expires"]
    user.refresh_from_db()
    assert len(user.token) == 24 and user.token.isalnum()
    session = UserSession.objects.get()
    assert session.token_type == "cookie" and session.token == f"{user.token}-{session.pk}"
    # The client keeps the cookie: the next requests are this user's.
    assert api.get(url("auth/check")).json()["data"] == {"authenticated": True}
    assert api.post(url(f"auth/logout/{user.pk}/999999")).status_code == 204


def test_cookie_mode_from_query_string(api, url, project):
    response = api.post(
        url("auth/authenticate?mode=cookie"), {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert "token" not in response.json()["data"]
    assert f"directus-{project.key}-session" in response.cookies


def test_wrong_password_and_unknown_email_look_alike(api, url, project):
    wrong = login(api, url, ADMIN_EMAIL, "not the password")
    unknown = login(api, url, "nobody@example.com", "not the password")

    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() == {"error": {"code": 100, "message": "Invalid user credentials"}}
    failure = Activity.objects.get(action="invalid-credentials")
    assert (failure.action_by, failure.item, failure.ip, failure.user_agent) == (1, "1", "127.0.0.1", USER_AGENT)
    assert not UserSession.objects.exists()


@pytest.fixture
def bcrypt_checks(monkeypatch):
    """The cost of every bcrypt verification a request makes, in order."""
    costs = []
    check = bcrypt.checkpw

    def counting(password, hashed):
        costs.append(int(hashed[4:6]))
        return check(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    return costs


UNKNOWN = "nobody@example.com"


@pytest.mark.parametrize(
    ("email", "status", "stored"),
    [
        (UNKNOWN, None, None),
        ("editor@example.com", UserStatus.ACTIVE, PASSWORD),  # a wrong password
        ("invited@example.com", UserStatus.INVITED, None),  # invited or SCIM-provisioned: no password yet
        ("active@example.com", UserStatus.ACTIVE, None),
        ("suspended@example.com", UserStatus.SUSPENDED, None),
        ("empty@example.com", UserStatus.ACTIVE, ""),
        ("plain@example.com", UserStatus.ACTIVE, "not a bcrypt hash"),
        ("broken@example.com", UserStatus.ACTIVE, "$2y$10$tooshort"),
    ],
)
def test_every_failed_login_costs_one_bcrypt_check(api, url, project, bcrypt_checks, email, status, stored):
    # Deviation 6: failures must not tell accounts apart, by their answer or by their time.
    if email != UNKNOWN:
        user = make_user(email, status=status)
        User.objects.filter(pk=user.pk).update(password=hash_password(stored) if stored == PASSWORD else stored)

    response = login(api, url, email, "not the password")

    assert response.json() == {"error": {"code": 100, "message": "Invalid user credentials"}}
    assert bcrypt_checks == [directus_settings.BCRYPT_ROUNDS]


@pytest.mark.parametrize(
    ("status", "http_status"), [(UserStatus.SUSPENDED, 404), (UserStatus.DRAFT, 401), (UserStatus.INVITED, 401)]
)
def test_inactive_user_is_told_only_with_the_right_password(api, url, project, status, http_status):
    user = make_user(status=status)

    wrong = login(api, url, user.email, "not the password")
    assert error_of(wrong) == (404, 100)

    right = login(api, url, user.email)
    assert error_of(right) == (http_status, 103)
    assert not UserSession.objects.exists()


def test_ip_whitelist_applies_at_login(api, url, project):
    role = Role.objects.create(name="Office", ip_whitelist=["10.1.1.1"])
    user = make_user(role=role.pk)

    refused = login(api, url, user.email)
    assert error_of(refused) == (401, 19)
    allowed = login(api, url, user.email, extra={"REMOTE_ADDR": "10.1.1.1"})
    assert allowed.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"password": PASSWORD},
        {"email": "", "password": PASSWORD},
        {"email": "not-an-email", "password": PASSWORD},
        {"email": ["admin@example.com"], "password": PASSWORD},
        {"email": ADMIN_EMAIL},
        {"email": ADMIN_EMAIL, "password": ""},
        {"email": ADMIN_EMAIL, "password": 12345},
        {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "mode": "session"},
    ],
)
def test_invalid_login_payload(api, url, project, body):
    response = api.post(url("auth/authenticate"), body, format="json")
    assert error_of(response) == (422, 114)


@pytest.mark.parametrize("raw", ["[1, 2]", '"admin@example.com"', "", "{}", "{not json"])
def test_non_object_body(api, url, project, raw):
    response = api.post(url("auth/authenticate"), raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": {"code": 13, "message": "Invalid or Empty Payload"}}


def test_form_encoded_login(api, url, project):
    response = api.post(url("auth/authenticate"), {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status_code == 200 and response.json()["data"]["token"]


def test_email_matches_without_case(api, url, project):
    assert login(api, url, ADMIN_EMAIL.upper(), ADMIN_PASSWORD).status_code == 200


# -- 2FA -----------------------------------------------------------------------------------------


@pytest.fixture
def otp_user(project):
    return make_user("otp@example.com", two_factor_secret=pyotp.random_base32())


def test_otp_missing(api, url, otp_user):
    response = login(api, url, otp_user.email)
    assert error_of(response) == (404, 111)


def test_otp_invalid(api, url, otp_user):
    current = pyotp.TOTP(otp_user.two_factor_secret).now()
    wrong = f"{(int(current) + 500_000) % 1_000_000:06d}"
    response = login(api, url, otp_user.email, otp=wrong)
    assert error_of(response) == (404, 112)


def test_otp_needs_the_password_first(api, url, otp_user):
    response = login(api, url, otp_user.email, "not the password")
    assert error_of(response) == (404, 100)


def test_otp_valid(api, url, otp_user):
    response = login(api, url, otp_user.email, otp=pyotp.TOTP(otp_user.two_factor_secret).now())
    assert response.status_code == 200 and response.json()["data"]["token"]


def test_otp_of_the_previous_step_is_accepted(api, url, otp_user):
    previous = pyotp.TOTP(otp_user.two_factor_secret).at(time.time() - 30)
    assert login(api, url, otp_user.email, otp=previous).status_code == 200


def test_enforced_2fa_without_secret_still_logs_in_with_error_113(api, url, project):
    role = Role.objects.create(name="Secure", enforce_2fa=True)
    user = make_user(role=role.pk)

    response = login(api, url, user.email)

    assert response.status_code == 200
    body = response.json()
    assert body["data"]["token"] and body["public"] is True
    assert body["error"] == {"code": 113, "message": "2FA enforced but not activated for user"}
    # Until 2FA is activated the token opens nothing but the routes that allow it.
    assert api.post(url(f"auth/logout/{user.pk}/999999"), **bearer(body["data"]["token"])).status_code == 204


def test_no_2fa_error_without_enforcement(api, url, project):
    user = make_user()
    assert "error" not in login(api, url, user.email).json()
    assert User.objects.get(pk=user.pk).status == UserStatus.ACTIVE
