"""GET /:project/ (projects.md)."""

import platform

import django

from apps.settings.models import Setting
from tests.api.users.factories import EDITOR_TOKEN, client_with_token, make_editor, make_file, set_setting
from tests.helpers import error_of

PUBLIC_API_KEYS = [
    "requires2FA",
    "project_name",
    "project_logo",
    "project_color",
    "project_foreground",
    "project_background",
    "project_public_note",
    "default_locale",
    "telemetry",
]
ENGINE_NAMES = {"sqlite": "sqlite", "postgres": "postgresql", "mariadb": "mysql"}


def test_public_caller_gets_the_api_block(api, url):
    response = api.get(url())
    assert response.status_code == 200
    body = response.json()
    assert body["public"] is True
    assert list(body["data"]) == ["api"]
    api_block = body["data"]["api"]
    assert list(api_block) == PUBLIC_API_KEYS
    assert api_block["requires2FA"] is False
    assert api_block["project_name"] == "My Project"
    assert api_block["project_color"] == "#263238"
    assert api_block["project_logo"] is None
    assert api_block["project_foreground"] is None
    assert api_block["project_public_note"] is None  # empty → null
    assert api_block["default_locale"] is None
    assert api_block["telemetry"] is True


def test_without_trailing_slash(api, project):
    response = api.get(f"/{project.key}")
    assert response.status_code == 200
    assert list(response.json()["data"]["api"]) == PUBLIC_API_KEYS


def test_settings_values(api, url):
    set_setting("project_name", "Thumper")
    set_setting("project_public_note", "Hello **there**")
    set_setting("telemetry", "0")
    set_setting("default_locale", "nl-NL")
    set_setting("project_color", "#4CAF50")
    data = api.get(url()).json()["data"]["api"]
    assert data["project_name"] == "Thumper"
    assert data["project_public_note"] == "Hello **there**"
    assert data["telemetry"] is False
    assert data["default_locale"] == "nl-NL"
    assert data["project_color"] == "#4CAF50"


def test_missing_setting_rows_fall_back_to_defaults(api, url):
    Setting.objects.all().delete()
    data = api.get(url()).json()["data"]["api"]
    assert data["project_name"] == "My Project"
    assert data["telemetry"] is True
    assert data["project_logo"] is None


def test_logo_is_the_file_urls(api, url, project):
    file = make_file()
    set_setting("project_logo", str(file.pk))
    background = make_file(filename_disk="bg.jpg", type="image/jpeg", private_hash="bbbbbbbbbbbbbbbb")
    set_setting("project_background", str(background.pk))
    data = api.get(url()).json()["data"]["api"]
    assert data["project_logo"] == {
        "full_url": f"http://testserver/uploads/{project.key}/originals/logo.svg",
        "url": f"/uploads/{project.key}/originals/logo.svg",
        "asset_url": f"/{project.key}/assets/abcd1234abcd1234",
    }
    assert data["project_background"]["asset_url"] == f"/{project.key}/assets/bbbbbbbbbbbbbbbb"
    assert data["project_foreground"] is None


def test_logo_urls_use_the_configured_public_url(api, url, project, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "PUBLIC_URL": "https://api.example.com/"}
    set_setting("project_logo", str(make_file().pk))
    logo = api.get(url()).json()["data"]["api"]["project_logo"]
    assert logo["full_url"] == f"https://api.example.com/uploads/{project.key}/originals/logo.svg"


def test_logo_pointing_to_a_missing_file_is_null(api, url):
    set_setting("project_logo", "999999")
    assert api.get(url()).json()["data"]["api"]["project_logo"] is None


def test_authenticated_user_gets_version_database_and_upload_size(url, project, engine, editor_api):
    body = editor_api.get(url()).json()
    assert "public" not in body
    api_block = body["data"]["api"]
    assert api_block["version"] == "8.8.1"
    assert api_block["requires2FA"] is False
    assert api_block["database"] == ENGINE_NAMES[engine]
    assert set(PUBLIC_API_KEYS) <= set(api_block)
    assert body["data"]["server"] == {"max_upload_size": 100 * 1024 * 1024}


def test_requires2fa_reflects_the_callers_role(url, project):
    make_editor(enforce_2fa=True)
    body = client_with_token(EDITOR_TOKEN).get(url()).json()
    assert body["data"]["api"]["requires2FA"] is True


def test_admin_also_gets_the_general_server_block(admin_api, url, engine):
    data = admin_api.get(url()).json()["data"]
    assert data["api"]["database"] == ENGINE_NAMES[engine]
    assert data["server"]["max_upload_size"] == 100 * 1024 * 1024
    assert data["server"]["general"] == {
        "php_version": f"Python {platform.python_version()}",
        "php_api": f"Django {django.get_version()}",
    }


def test_invalid_token_is_refused(api, url):
    api.credentials(HTTP_AUTHORIZATION="Bearer nope")
    assert api.get(url()).status_code == 401


def test_reserved_names_have_no_project_info(api, project):
    # /interfaces etc. are global routes of their own (extensions); these names have no route.
    for path in ("/server", "/projects", "/admin"):
        response = api.get(path)
        assert error_of(response) == (404, 1), path


def test_update_is_for_admins_and_applies_pending_migrations(api, url, project, editor_api, admin_api):
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    for client in (api, editor_api):
        response = client.post(url("update"))
        assert error_of(response) == (401, 3)
    response = admin_api.post(url("update"))
    assert response.status_code == 204 and response.content == b""
    executor = MigrationExecutor(connections[project.alias])
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
