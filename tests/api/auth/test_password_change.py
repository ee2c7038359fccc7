"""Deviation 21: a password change or reset ends every other session of the user (JWTs with a
session, cookies, and so their refresh), the JWTs without a session issued before it and the
static token a cookie login made; the credential that made the change keeps working."""

import re
import time

import pytest
from rest_framework.test import APIClient

from apps.auth import tokens
from apps.permissions.services import create_default_permissions
from apps.roles.models import Role
from apps.users.models import User
from tests.api.users.factories import ensure_system_schema
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sent_mail
from tests.helpers import error_of

from .conftest import bearer, login, make_user, set_setting

NEW_PASSWORD = "a brand new passphrase"
# A route every signed-in user may call whatever the permission rows say.
PROBE = "users/me?fields=id"


@pytest.fixture
def user(project):
    """A user of a role with the default permission rows (they may update their own row)."""
    role = Role.objects.create(name="Writers")
    create_default_permissions(role.pk)
    return make_user("writer@example.com", role=role.pk)


def jwt_login(url, email, password=None) -> str:
    args = (password,) if password else ()
    return login(APIClient(), url, email, *args).json()["data"]["token"]


def cookie_login(url, email) -> APIClient:
    client = APIClient()
    assert login(client, url, email, mode="cookie").status_code == 200
    return client


def refresh(url, token):
    return APIClient().post(url("auth/refresh"), {"token": token}, format="json")


def works(url, token) -> bool:
    response = APIClient().get(url(PROBE), **bearer(token))
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


def change_password(client, url, who="me", **credentials):
    response = client.patch(url(f"users/{who}"), {"password": NEW_PASSWORD}, format="json", **credentials)
    assert response.status_code == 200, response.content
    return response


def reset_password(url, email):
    set_setting("app_url", "https://cms.example.com/admin")
    client = APIClient()
    assert client.post(url("auth/password/request"), {"email": email}, format="json").status_code == 204
    token = re.search(r"token=([\w.-]+)", sent_mail()[-1].body).group(1)
    response = client.post(url("auth/password/reset"), {"token": token, "password": NEW_PASSWORD}, format="json")
    assert response.status_code == 204


# -- sessions -------------------------------------------------------------------------------------


def test_own_change_ends_the_other_sessions_and_keeps_the_callers(url, user):
    mine = jwt_login(url, user.email)
    other = jwt_login(url, user.email)
    browser = cookie_login(url, user.email)

    change_password(APIClient(), url, **bearer(mine))

    assert error_of(APIClient().get(url(PROBE), **bearer(other))) == (401, 101)
    assert error_of(refresh(url, other)) == (401, 101)
    assert error_of(browser.get(url(PROBE))) == (401, 101)
    # The caller's own session goes on, refresh included.
    assert works(url, mine)
    refreshed = refresh(url, mine)
    assert refreshed.status_code == 200 and works(url, refreshed.json()["data"]["token"])


def test_own_change_from_a_cookie_session_keeps_that_cookie(url, user):
    browser = cookie_login(url, user.email)
    other = jwt_login(url, user.email)

    change_password(browser, url)

    assert browser.get(url(PROBE)).status_code == 200
    assert not works(url, other)


def test_admin_change_ends_every_session_of_the_user(url, user):
    admin = jwt_login(url, ADMIN_EMAIL, ADMIN_PASSWORD)
    first = jwt_login(url, user.email)
    second = jwt_login(url, user.email)
    browser = cookie_login(url, user.email)

    change_password(APIClient(), url, who=str(user.pk), **bearer(admin))

    assert not works(url, first) and not works(url, second)
    assert error_of(refresh(url, first)) == (401, 101)
    assert error_of(browser.get(url(PROBE))) == (401, 101)
    assert works(url, admin)
    # The new password opens new sessions.
    assert works(url, jwt_login(url, user.email, NEW_PASSWORD))


def test_change_through_a_nested_write_ends_sessions_too(url, user, admin_api):
    ensure_system_schema()
    token = jwt_login(url, user.email)

    response = admin_api.patch(
        url(f"roles/{user.role}"), {"users": [{"id": user.pk, "password": NEW_PASSWORD}]}, format="json"
    )

    assert response.status_code == 200
    assert not works(url, token)


def test_reset_ends_every_session_and_refresh(url, project, user):
    token = jwt_login(url, user.email)
    browser = cookie_login(url, user.email)
    without_session = tokens.issue_access_token(project, user.pk, 20)

    reset_password(url, user.email)

    assert not works(url, token)
    assert error_of(refresh(url, token)) == (401, 101)
    assert error_of(browser.get(url(PROBE))) == (401, 101)
    assert not works(url, without_session)
    assert error_of(refresh(url, without_session)) == (401, 101)


def test_changing_other_columns_ends_nothing(url, user):
    mine = jwt_login(url, user.email)
    other = jwt_login(url, user.email)

    response = APIClient().patch(url("users/me"), {"first_name": "Wanda"}, format="json", **bearer(mine))

    assert response.status_code == 200
    assert works(url, other) and refresh(url, other).status_code == 200


# -- JWTs without a session ------------------------------------------------------------------------


def test_jwts_without_session_issued_before_a_change_are_refused(url, project, user):
    admin = jwt_login(url, ADMIN_EMAIL, ADMIN_PASSWORD)
    before = tokens.issue_access_token(project, user.pk, 20)
    assert works(url, before)

    change_password(APIClient(), url, who=str(user.pk), **bearer(admin))

    assert error_of(APIClient().get(url(PROBE), **bearer(before))) == (401, 101)
    assert error_of(refresh(url, before)) == (401, 101)
    # One issued after the change is not affected.
    after = tokens.issue_access_token(project, user.pk, 20, iat=time.time())
    assert works(url, after) and refresh(url, after).status_code == 200


def test_own_change_with_a_jwt_without_session_ends_it_too(url, project, user):
    # It has no session to keep apart from copies of it: the request is answered, then the
    # client signs in again.
    token = tokens.issue_access_token(project, user.pk, 20)

    change_password(APIClient(), url, **bearer(token))

    assert not works(url, token)
    assert works(url, jwt_login(url, user.email, NEW_PASSWORD))


# -- the static token a cookie login made ----------------------------------------------------------


def login_made_token(url, email) -> tuple[APIClient, str]:
    browser = cookie_login(url, email)
    token = User.objects.get(email=email).token
    assert token and works(url, token)
    return browser, token


def test_logout_ends_the_token_a_cookie_login_made(url, user):
    browser, token = login_made_token(url, user.email)

    assert browser.post(url("auth/logout")).status_code == 204

    assert error_of(APIClient().get(url(PROBE), **bearer(token))) == (401, 101)
    assert User.objects.get(pk=user.pk).token is None


def test_logout_with_the_login_made_token_ends_it(url, user):
    _, token = login_made_token(url, user.email)

    assert APIClient().post(url("auth/logout"), **bearer(token)).status_code == 204

    assert not works(url, token)


def test_reset_ends_the_login_made_token(url, user):
    _, token = login_made_token(url, user.email)

    reset_password(url, user.email)

    assert not works(url, token)


def test_own_change_from_the_cookie_session_ends_the_login_made_token(url, user):
    browser, token = login_made_token(url, user.email)

    change_password(browser, url)

    assert not works(url, token)
    assert browser.get(url(PROBE)).status_code == 200


def test_admin_set_static_token_survives_logout_change_and_reset(url, user, admin_api):
    response = admin_api.patch(url(f"users/{user.pk}"), {"token": "writer-static-token"}, format="json")
    assert response.status_code == 200
    browser = cookie_login(url, user.email)
    assert User.objects.get(pk=user.pk).token == "writer-static-token"

    browser.post(url("auth/logout"))
    assert works(url, "writer-static-token")
    APIClient().post(url("auth/logout"), **bearer("writer-static-token"))
    assert works(url, "writer-static-token")
    change_password(admin_api, url, who=str(user.pk))
    assert works(url, "writer-static-token")
    reset_password(url, user.email)
    assert works(url, "writer-static-token")
