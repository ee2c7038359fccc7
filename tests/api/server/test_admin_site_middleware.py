"""Django's session, auth, messages and clickjacking middlewares run for the operators' admin
(/_admin/) and nowhere else: the API keeps no Django session."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", "operator@example.com", "an operator password")


def test_admin_login_keeps_a_session(operator):
    client = Client()
    page = client.get("/_admin/login/")
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"

    response = client.post("/_admin/login/", {"username": "operator", "password": "an operator password"})
    assert response.status_code == 302
    assert "sessionid" in response.cookies
    assert client.get("/_admin/").status_code == 200


def test_admin_failed_login_shows_the_form_again(operator):
    response = Client().post("/_admin/login/", {"username": "operator", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter the correct username and password" in response.content


def test_api_answers_without_admin_middlewares(admin_api, url):
    response = admin_api.get(url("collections"))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert not response.cookies


def test_global_routes_skip_them_too():
    response = Client().get("/server/ping")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "Cookie" not in response.get("Vary", "")
