"""POST /auth/password/request and /auth/password/reset (deviation 5)."""

import re
import socket

import pytest

from apps.auth import tokens
from apps.auth.models import UserSession
from apps.users.models import User, UserStatus
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sent_mail
from tests.helpers import error_of

from .conftest import bearer, login, make_user, set_setting

APP_URL = "https://cms.example.com/admin"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app_url(project):
    set_setting("app_url", APP_URL)
    return APP_URL


def request_reset(api, url, email, **body):
    return api.post(url("auth/password/request"), {"email": email, **body}, format="json")


def reset(api, url, token, password=NEW_PASSWORD):
    return api.post(url("auth/password/reset"), {"token": token, "password": password}, format="json")


def mailed_token() -> str:
    return re.search(r"token=([\w.-]+)", sent_mail()[-1].body).group(1)


def test_request_mails_a_link_built_from_app_url(api, url, project, app_url):
    response = request_reset(api, url, ADMIN_EMAIL, HTTP_HOST="evil.example")

    assert response.status_code == 204 and response.content == b""
    assert len(sent_mail()) == 1
    message = sent_mail()[0]
    assert message.to == [ADMIN_EMAIL]
    token = mailed_token()
    link = f"{APP_URL}/#/reset-password?token={token}&project={project.key}"
    assert link in message.body
    assert link.replace("&", "&amp;") in message.alternatives[0][0]
    assert "evil.example" not in message.body
    claims = tokens.decode(project, token, tokens.RESET_PASSWORD)
    assert claims["email"] == ADMIN_EMAIL and claims["id"] == 1
    assert User.objects.get(pk=1).password_reset_token == token


def test_request_falls_back_to_project_url(api, url, project):
    set_setting("project_url", "https://www.example.com/")
    assert request_reset(api, url, ADMIN_EMAIL).status_code == 204
    assert "https://www.example.com/admin/#/reset-password?token=" in sent_mail()[0].body


def test_unknown_email_gets_the_same_answer_and_no_mail(api, url, project, app_url):
    known = request_reset(api, url, ADMIN_EMAIL)
    unknown = request_reset(api, url, "nobody@example.com")
    assert known.status_code == unknown.status_code == 204
    assert known.content == unknown.content == b""
    assert len(sent_mail()) == 1


def test_inactive_user_gets_no_mail(api, url, project, app_url):
    user = make_user(status=UserStatus.SUSPENDED)
    assert request_reset(api, url, user.email).status_code == 204
    assert sent_mail() == []


def test_reset_url_not_allowlisted_is_ignored(api, url, project, app_url):
    assert request_reset(api, url, ADMIN_EMAIL, reset_url="https://evil.example/steal").status_code == 204
    assert "evil.example" not in sent_mail()[0].body
    assert f"{APP_URL}/#/reset-password?token=" in sent_mail()[0].body


def test_allowlisted_reset_url_is_used(api, url, project, app_url, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "PASSWORD_RESET_URL_ALLOWLIST": ["https://app.example.com/"]}
    response = request_reset(api, url, ADMIN_EMAIL, reset_url="https://app.example.com/#/reset")
    assert response.status_code == 204
    assert "https://app.example.com/#/reset?token=" in sent_mail()[0].body


def test_no_configured_url_answers_alike_for_every_email(api, url, project, caplog):
    """Deviation 16: without an app URL no link can be mailed; the answer is the 204 of any
    other request, and the operator finds the reason in the log."""
    known = request_reset(api, url, ADMIN_EMAIL)
    unknown = request_reset(api, url, "nobody@example.com")
    assert known.status_code == unknown.status_code == 204
    assert known.content == unknown.content == b""
    assert sent_mail() == []
    assert "no app_url or project_url" in caplog.text


def closed_port() -> int:
    """A loopback port nothing listens on: an SMTP server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_server_that_is_down_tells_no_email_apart(api, url, project, app_url, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    known = request_reset(api, url, ADMIN_EMAIL)
    unknown = request_reset(api, url, "nobody@example.com")
    assert known.status_code == unknown.status_code == 204
    assert known.content == unknown.content == b""
    # The mail was queued; the delivery worker's failure is what the operator reads in the log.
    assert sent_mail() == []
    assert "Failed to send email" in caplog.text and "Connection refused" in caplog.text


@pytest.mark.parametrize("body", [{"email": "not-an-email"}, {"reset_url": "https://x.example/"}])
def test_request_validation(api, url, project, app_url, body):
    assert error_of(api.post(url("auth/password/request"), body, format="json")) == (422, 4)


def test_reset_sets_the_password_once(api, url, project, app_url):
    token_before = login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD).json()["data"]["token"]
    request_reset(api, url, ADMIN_EMAIL)
    token = mailed_token()

    response = reset(api, url, token)

    assert response.status_code == 204 and response.content == b""
    assert login(api, url, ADMIN_EMAIL, NEW_PASSWORD).status_code == 200
    assert error_of(login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD)) == (404, 100)
    assert User.objects.get(pk=1).password_reset_token is None
    # The sessions of the old password are over.
    assert error_of(api.post(url("auth/logout/1/999999"), **bearer(token_before))) == (401, 101)
    assert UserSession.objects.count() == 1
    # Single use.
    assert error_of(reset(api, url, token, "yet another one")) == (401, 105)
    assert login(api, url, ADMIN_EMAIL, NEW_PASSWORD).status_code == 200


def test_a_newer_request_replaces_the_token(api, url, project, app_url):
    request_reset(api, url, ADMIN_EMAIL)
    first = mailed_token()
    request_reset(api, url, ADMIN_EMAIL)
    second = mailed_token()

    assert first != second
    assert error_of(reset(api, url, first)) == (401, 105)
    assert reset(api, url, second).status_code == 204


def test_reset_with_bad_tokens(api, url, project):
    assert error_of(reset(api, url, "not-a-token")) == (401, 104)
    auth_token = tokens.issue_access_token(project, 1, 20)
    assert error_of(reset(api, url, auth_token)) == (401, 104)
    expired = tokens.issue(project, tokens.RESET_PASSWORD, -1, id=1, email=ADMIN_EMAIL)
    User.objects.filter(pk=1).update(password_reset_token=expired)
    assert error_of(reset(api, url, expired)) == (401, 105)


def test_reset_token_for_a_changed_email(api, url, project):
    token = tokens.issue(project, tokens.RESET_PASSWORD, 20, id=1, email="old@example.com")
    User.objects.filter(pk=1).update(password_reset_token=token)
    assert error_of(reset(api, url, token)) == (401, 104)


def test_reset_token_for_a_missing_user(api, url, project):
    token = tokens.issue(project, tokens.RESET_PASSWORD, 20, id=424242, email="ghost@example.com")
    assert error_of(reset(api, url, token)) == (404, 106)


def test_reset_validation(api, url, project):
    assert error_of(api.post(url("auth/password/reset"), {"token": "x"}, format="json")) == (422, 4)
    assert error_of(api.post(url("auth/password/reset"), {"password": "x"}, format="json")) == (422, 4)
    assert error_of(api.post(url("auth/password/reset"), "[1]", content_type="application/json")) == (400, 13)
