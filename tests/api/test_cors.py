"""CORS (deviation 23): any origin may read answers, but credentials (cookies) are allowed only
for the origins listed in DIRECTUS_CORS_CREDENTIALS_ORIGINS."""

import pytest
from django.conf import settings as django_settings

APP = "https://app.example.com"
OTHER = "https://evil.example.net"

pytestmark = pytest.mark.engines("sqlite")  # headers only: one engine is enough


@pytest.fixture
def credentials_for_app(settings):
    settings.DIRECTUS = {**django_settings.DIRECTUS, "CORS_CREDENTIALS_ORIGINS": [APP]}


def preflight(api, path: str, origin: str):
    return api.options(path, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")


def test_any_origin_reads_answers_without_credentials(api, url):
    for response in (api.get("/server/ping", HTTP_ORIGIN=OTHER), preflight(api, url("users/me"), OTHER)):
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response


def test_credentials_only_for_the_listed_origins(api, url, credentials_for_app):
    for response in (api.get("/server/ping", HTTP_ORIGIN=APP), preflight(api, url("users/me"), APP)):
        assert response["Access-Control-Allow-Origin"] == APP
        assert response["Access-Control-Allow-Credentials"] == "true"
        assert "origin" in response["Vary"].lower()
    for origin in (OTHER, "http://app.example.com", "https://app.example.com.evil.example.net"):
        response = preflight(api, url("users/me"), origin)
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response


def test_with_a_list_of_origins_others_get_no_cors_headers(api, settings, credentials_for_app):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = ["https://reader.example.com"]
    response = api.get("/server/ping", HTTP_ORIGIN="https://reader.example.com")
    assert response["Access-Control-Allow-Origin"] == "https://reader.example.com"
    assert "Access-Control-Allow-Credentials" not in response
    assert "Access-Control-Allow-Origin" not in api.get("/server/ping", HTTP_ORIGIN=OTHER)
    # An origin allowed credentials is an allowed origin too.
    assert api.get("/server/ping", HTTP_ORIGIN=APP)["Access-Control-Allow-Credentials"] == "true"
