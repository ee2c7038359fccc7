"""Global routes: /server/ping, /server/info, /server/projects, GET / (server.md, projects.md)."""

import platform

import pytest

from apps.projects.models import Project
from tests.helpers import assert_error

SUPER_TOKEN = "super-secret-token"


@pytest.fixture
def super_token(settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "SUPER_ADMIN_TOKEN": SUPER_TOKEN}
    return SUPER_TOKEN


def test_ping(api, project):
    response = api.get("/server/ping")
    assert response.status_code == 200
    assert response.content == b"pong"
    assert response["Content-Type"].startswith("text/plain")


# -- /server/info ------------------------------------------------------------------------------


def test_info_needs_the_token_once_a_project_exists(api, project, super_token):
    message = assert_error(api.get("/server/info"), 422, 4)
    assert "super_admin_token" in message


def test_info_wrong_token_is_401_code_3(api, project, super_token):
    message = assert_error(api.get("/server/info", {"super_admin_token": "wrong"}), 401, 3)
    assert message == "Permission denied: Superadmin Only"


def test_info_with_unset_server_token_refuses_any_token(api, project, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "SUPER_ADMIN_TOKEN": ""}
    assert_error(api.get("/server/info", {"super_admin_token": "anything"}), 401, 3)


def test_info_with_the_token(api, project, super_token, settings):
    response = api.get("/server/info", {"super_admin_token": SUPER_TOKEN})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data"}
    data = body["data"]
    assert list(data) == ["directus", "server", "php", "permissions"]
    assert data["directus"] == "8.8.1"
    assert set(data["server"]) == {"type", "rewrites", "os", "os_version"}
    assert data["server"]["rewrites"] is None
    assert data["server"]["os"] == platform.system()
    assert data["php"]["version"] == f"Python {platform.python_version()}"
    assert data["php"]["max_upload_size"] == settings.DIRECTUS.get("MAX_UPLOAD_SIZE", 100 * 1024 * 1024)
    assert set(data["php"]["extensions"]) == {"pdo", "mysqli", "curl", "gd", "fileinfo", "mbstring", "json"}
    assert all(isinstance(value, bool) for value in data["php"]["extensions"].values())
    assert set(data["permissions"]) == {"public", "logs", "uploads"}
    assert all(len(mode) == 4 and int(mode, 8) >= 0 for mode in data["permissions"].values())


def test_info_before_any_project_needs_no_token(api, project, super_token):
    Project.objects.all().delete()  # rolled back after the test
    response = api.get("/server/info")
    assert response.status_code == 200
    assert response.json()["data"]["directus"] == "8.8.1"


# -- /server/projects --------------------------------------------------------------------------


def test_projects_lists_public_project_keys(api, project):
    Project.objects.create(key="zz-hidden", database_url="sqlite:///nowhere.sqlite3", private=True)
    Project.objects.create(key="aa-visible", database_url="sqlite:///nowhere2.sqlite3")
    response = api.get("/server/projects")
    assert response.status_code == 200
    body = response.json()
    assert body["public"] is True
    assert project.key in body["data"]
    assert "aa-visible" in body["data"]
    assert "zz-hidden" not in body["data"]
    assert body["data"] == sorted(body["data"])


def test_projects_public_flag_even_with_a_token(project):
    from tests.api.users.factories import client_with_token
    from tests.conftest import ADMIN_TOKEN

    body = client_with_token(ADMIN_TOKEN).get("/server/projects").json()
    assert body["public"] is True


def test_projects_none_configured_is_503_code_14(api, project):
    Project.objects.all().delete()  # rolled back after the test
    assert_error(api.get("/server/projects"), 503, 14)


def test_projects_only_private_is_503_code_14(api, project):
    Project.objects.update(private=True)
    assert_error(api.get("/server/projects"), 503, 14)
