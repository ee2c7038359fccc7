"""Refresh, check, sessions and logout; tokens that must be refused."""

import dataclasses

import pytest

from apps.auth import tokens
from apps.auth.models import UserSession
from apps.roles.models import Role
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, drop_project, make_project
from tests.helpers import error_of

from .conftest import bearer, login, make_user

# A route behind the authentication step that changes nothing (no session 999999 exists).
PROBE = "auth/logout/1/999999"


def admin_token(api, url) -> str:
    return login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD).json()["data"]["token"]


# -- refresh -----------------------------------------------------------------------------------


def test_refresh_returns_a_new_valid_token(api, url, project):
    token = admin_token(api, url)

    response = api.post(url("auth/refresh"), {"token": token}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "public"} and set(body["data"]) == {"token"}
    new = body["data"]["token"]
    claims = tokens.decode(project, new)
    assert claims["id"] == 1 and claims["needs2FA"] is False and claims["type"] == "auth"
    assert api.post(url(PROBE), **bearer(new)).status_code == 204
    assert api.get(url("auth/check"), **bearer(new)).json()["data"]["authenticated"] is True
    assert UserSession.objects.get().token == new


def test_refresh_reports_needs_2fa(api, url, project):
    user = make_user(role=Role.objects.create(name="Secure", enforce_2fa=True).pk)
    token = login(api, url, user.email).json()["data"]["token"]

    new = api.post(url("auth/refresh"), {"token": token}, format="json").json()["data"]["token"]

    assert tokens.decode(project, new)["needs2FA"] is True


def test_refresh_expired_token(api, url, project):
    expired = tokens.issue_access_token(project, 1, -1)
    assert error_of(api.post(url("auth/refresh"), {"token": expired}, format="json")) == (401, 102)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "admin-static-token"])
def test_refresh_invalid_token(api, url, project, token):
    assert error_of(api.post(url("auth/refresh"), {"token": token}, format="json")) == (401, 101)


def test_refresh_needs_a_token(api, url, project):
    assert error_of(api.post(url("auth/refresh"), {"nothing": 1}, format="json")) == (422, 4)
    assert error_of(api.post(url("auth/refresh"), "[]", content_type="application/json")) == (400, 13)


def test_refresh_of_a_logged_out_token_fails(api, url, project):
    token = admin_token(api, url)
    api.post(url("auth/logout"), **bearer(token))
    assert error_of(api.post(url("auth/refresh"), {"token": token}, format="json")) == (401, 101)


# -- tokens that are refused --------------------------------------------------------------------


def test_expired_token_is_refused(api, url, project):
    expired = tokens.issue(project, tokens.AUTH, -1, id=1)
    assert error_of(api.post(url(PROBE), **bearer(expired))) == (401, 102)


def test_token_signed_with_another_secret_is_refused(api, url, project):
    impostor = dataclasses.replace(project, secret_key="another-secret-that-is-long-enough-for-hs256")
    forged = tokens.issue_access_token(impostor, 1, 20)
    assert error_of(api.post(url(PROBE), **bearer(forged))) == (401, 101)
    assert error_of(api.post(url("auth/refresh"), {"token": forged}, format="json")) == (401, 101)


def test_token_of_another_type_is_refused(api, url, project):
    reset = tokens.issue(project, tokens.RESET_PASSWORD, 20, id=1, email=ADMIN_EMAIL)
    assert error_of(api.post(url(PROBE), **bearer(reset))) == (401, 101)


def test_token_from_another_project_is_refused(api, url, project, engine):
    other = make_project(engine, "other")
    try:
        foreign = login(api, lambda path: f"/{other.key}/{path}", ADMIN_EMAIL, ADMIN_PASSWORD).json()["data"]["token"]
        assert api.post(f"/{other.key}/{PROBE}", **bearer(foreign)).status_code == 204
        assert error_of(api.post(url(PROBE), **bearer(foreign))) == (401, 101)
        assert error_of(api.post(url("auth/refresh"), {"token": foreign}, format="json")) == (401, 101)
        assert api.get(url("auth/check"), **bearer(foreign)).json()["data"]["authenticated"] is False
    finally:
        drop_project(other)


# -- check and sessions -------------------------------------------------------------------------


def test_check_without_session(api, url, project, admin_api):
    assert api.get(url("auth/check")).json() == {"data": {"authenticated": False}, "public": True}
    # A static token has no session.
    assert admin_api.get(url("auth/check")).json()["data"]["authenticated"] is False
    assert api.get(url("auth/check"), **bearer("garbage")).json()["data"]["authenticated"] is False


def test_sessions_lists_the_users_sessions(api, url, project):
    first = admin_token(api, url)
    login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD)
    user = make_user()
    login(api, url, user.email)

    response = api.get(url("auth/sessions"), **bearer(first))

    assert response.status_code == 200
    rows = response.json()["data"]
    assert [row["user"] for row in rows] == [1, 1]
    assert set(rows[0]) == {
        "id",
        "user",
        "token_type",
        "token",
        "ip_address",
        "user_agent",
        "created_on",
        "token_expired_at",
    }
    # Only the caller's own token is shown.
    assert rows[0]["token"] == first and rows[1]["token"] is None
    assert rows[0]["token_type"] == "jwt" and rows[0]["ip_address"] == "127.0.0.1"


def test_sessions_without_session_is_empty(api, url, project, admin_api):
    assert api.get(url("auth/sessions")).status_code == 204
    assert admin_api.get(url("auth/sessions")).status_code == 204


# -- logout ----------------------------------------------------------------------------------------


def test_logout_ends_the_jwt_session(api, url, project):
    token = admin_token(api, url)
    other = admin_token(api, url)

    response = api.post(url("auth/logout"), **bearer(token))

    assert response.status_code == 204 and response.content == b""
    assert list(UserSession.objects.values_list("token", flat=True)) == [other]
    assert api.get(url("auth/check"), **bearer(token)).json()["data"]["authenticated"] is False
    assert error_of(api.post(url(PROBE), **bearer(token))) == (401, 101)
    assert api.post(url(PROBE), **bearer(other)).status_code == 204


def test_logout_with_a_refreshed_token_ends_the_login(api, url, project):
    token = admin_token(api, url)
    refreshed = api.post(url("auth/refresh"), {"token": token}, format="json").json()["data"]["token"]

    api.post(url("auth/logout"), **bearer(refreshed))

    assert not UserSession.objects.exists()
    assert error_of(api.post(url(PROBE), **bearer(token))) == (401, 101)


def test_logout_with_an_expired_token_still_ends_its_session(api, url, project):
    session = UserSession.objects.create(user=1, token_type="jwt")
    expired = tokens.issue_access_token(project, 1, -1, sid=session.pk)
    assert api.post(url("auth/logout"), **bearer(expired)).status_code == 204
    assert not UserSession.objects.exists()


def test_logout_ends_the_cookie_session(api, url, project):
    login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD, mode="cookie")
    name = f"directus-{project.key}-session"
    stale = api.cookies[name].value

    response = api.post(url("auth/logout"))

    assert response.status_code == 204
    assert response.cookies[name].value == "" and response.cookies[name]["max-age"] == 0
    assert not UserSession.objects.exists()
    api.cookies[name] = stale
    assert api.get(url("auth/check")).json()["data"]["authenticated"] is False
    assert error_of(api.post(url(PROBE))) == (401, 101)


def test_logout_without_credentials(api, url, project):
    admin_token(api, url)
    assert api.post(url("auth/logout")).status_code == 204
    assert UserSession.objects.count() == 1


def test_user_logs_out_own_sessions(api, url, project):
    user = make_user()
    token = login(api, url, user.email).json()["data"]["token"]
    login(api, url, user.email)
    admin = admin_token(api, url)

    assert api.post(url(f"auth/logout/{user.pk}"), **bearer(token)).status_code == 204

    assert list(UserSession.objects.values_list("token", flat=True)) == [admin]


def test_logout_of_one_session(api, url, project):
    user = make_user()
    token = login(api, url, user.email).json()["data"]["token"]
    second = login(api, url, user.email).json()["data"]["token"]
    second_id = UserSession.objects.get(token=second).pk

    assert api.post(url(f"auth/logout/{user.pk}/{second_id}"), **bearer(token)).status_code == 204

    assert list(UserSession.objects.values_list("token", flat=True)) == [token]


def test_only_admins_end_other_users_sessions(api, url, project):
    user = make_user()
    token = login(api, url, user.email).json()["data"]["token"]
    admin = admin_token(api, url)

    assert error_of(api.post(url("auth/logout/1"), **bearer(token))) == (403, 10)
    assert UserSession.objects.filter(user=1).exists()
    assert error_of(api.post(url("auth/logout/1"))) == (401, 108)

    assert api.post(url(f"auth/logout/{user.pk}"), **bearer(admin)).status_code == 204
    assert not UserSession.objects.filter(user=user.pk).exists()


def test_sso_lists_no_providers(api, url, project):
    response = api.get(url("auth/sso"))
    assert response.status_code == 200
    assert response.json() == {"data": [], "public": True}
