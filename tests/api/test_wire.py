"""The wire contract every route shares: error bodies, codes and statuses, never HTML."""

import pytest
from django.db import transaction
from django.test import override_settings

from apps.projects.models import Project
from apps.projects.registry import forget_project
from tests.helpers import assert_error


def test_unknown_route_in_a_project_is_404_code_1(api, url):
    assert_error(api.get(url("no-such-route")), 404, 1)


def test_unknown_global_route_is_404_code_1(api, project):
    assert_error(api.get("/server/no-such-route"), 404, 1)


def test_unknown_project_is_401_code_3(api, project):
    assert_error(api.get("/no-such-project/users/me"), 401, 3)


@pytest.mark.parametrize("segment", ["server", "interfaces", "types"])
def test_reserved_names_are_never_projects(api, project, segment):
    response = api.get(f"/{segment}/users/me")
    assert_error(response, 404, 1)


def test_wrong_method_on_a_global_route_is_405_code_6(api, project):
    assert_error(api.delete("/server/ping"), 405, 6)


def test_wrong_method_on_a_project_route_is_405_code_6(api, url):
    assert_error(api.delete(url()), 405, 6)


def test_ping_is_plain_text(api, project):
    response = api.get("/server/ping")
    assert response.status_code == 200
    assert response.content == b"pong"


def test_maintenance_flag_answers_503_code_21(api, url, tmp_path):
    flag = tmp_path / "maintenance"
    flag.write_text("")
    with override_settings(DIRECTUS={"MAINTENANCE_FLAG": str(flag)}):
        assert_error(api.get(url()), 503, 21)
    flag.unlink()
    with override_settings(DIRECTUS={"MAINTENANCE_FLAG": str(flag)}):
        assert api.get(url()).status_code == 200


def test_unexpected_errors_are_500_code_0_without_details(api, url, monkeypatch, caplog):
    from apps.server import views

    def explode(self, request, *args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.ProjectInfoView, "get", explode)
    response = api.get(url())
    assert_error(response, 500, 0)
    assert b"secret" not in response.content
    assert "secret internals" in caplog.text


def test_unreachable_project_database_is_503_code_11(api, project):
    key = "unreachable-db"
    with transaction.atomic():
        Project.objects.create(key=key, database_url="postgres://nobody@127.0.0.1:1/none")
    forget_project(key)
    try:
        response = api.get(f"/{key}/users/me", HTTP_AUTHORIZATION="Bearer some-static-token")
        assert_error(response, 503, 11)
        assert response["Retry-After"]
        assert b"127.0.0.1" not in response.content
    finally:
        forget_project(key)


def test_cors_preflight_answers_with_the_allowed_headers(api, url):
    response = api.options(
        url("users/me"),
        HTTP_ORIGIN="https://app.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "authorization" in response["Access-Control-Allow-Headers"].lower()
