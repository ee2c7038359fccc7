"""POST /server/projects and DELETE /server/projects/:project (projects.md): what createproject
and deleteproject do, over HTTP, guarded by the super-admin token."""

import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from apps.projects import databases
from apps.projects.models import Project
from apps.projects.registry import database_settings, get_project
from tests.api.projects.conftest import Cleanup
from tests.engines import SERVER_URLS
from tests.helpers import assert_error

SUPER_TOKEN = "the-super-admin-token"
EMAIL = "owner@example.com"
PASSWORD = "a long owner password"


@pytest.fixture
def control_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def cleanup(control_db):
    tracker = Cleanup()
    try:
        yield tracker
    finally:
        tracker.run()


@pytest.fixture
def super_token(settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "SUPER_ADMIN_TOKEN": SUPER_TOKEN}
    return SUPER_TOKEN


def new_key(cleanup, prefix="http") -> str:
    key = f"{prefix}-{uuid.uuid4().hex[:8]}"
    cleanup.keys.append(key)
    return key


def body(key: str, **values) -> dict:
    return {
        "project": key,
        "super_admin_token": SUPER_TOKEN,
        "user_email": EMAIL,
        "user_password": PASSWORD,
        **values,
    }


def server_keys(engine: str) -> dict:
    """db_* keys naming a fresh database on the engine's test server."""
    config = database_settings(SERVER_URLS[engine].rstrip("/") + "/x")
    return {
        "db_type": "postgres" if engine == "postgres" else "mysql",
        "db_host": config["HOST"] or "127.0.0.1",
        "db_port": int(config["PORT"] or (5432 if engine == "postgres" else 3306)),
        "db_user": config["USER"] or ("postgres" if engine == "postgres" else "root"),
        "db_password": config["PASSWORD"] or "",
        "db_name": f"dxt_http_{uuid.uuid4().hex[:8]}",
    }


def login(api, key: str):
    return api.post(f"/{key}/auth/authenticate", {"email": EMAIL, "password": PASSWORD}, format="json")


def create_and_use(api, key: str, extra: dict) -> None:
    response = api.post(
        "/server/projects", body(key, project_name="Over HTTP", user_token="owner-token", **extra), format="json"
    )
    assert response.status_code == 204, response.content
    assert response.content == b""
    assert key in api.get("/server/projects").json()["data"]
    assert login(api, key).status_code == 200
    me = api.get(f"/{key}/users/me", HTTP_AUTHORIZATION="Bearer owner-token").json()["data"]
    assert (me["email"], me["first_name"], me["last_name"], me["role"]) == (EMAIL, "Admin", "User", 1)
    assert api.get(f"/{key}/").json()["data"]["api"]["project_name"] == "Over HTTP"


@pytest.mark.engines("sqlite")
def test_create_sqlite_by_default_then_delete(api, engine, cleanup, super_token):
    key = new_key(cleanup)
    create_and_use(api, key, {})
    url = Project.objects.get(key=key).database_url
    assert url == databases.normalise_url(f"sqlite:///{django_settings.DATA_DIR}/projects/{key}.sqlite3")
    assert Path(database_settings(url)["NAME"]).exists()

    response = api.delete(f"/server/projects/{key}?super_admin_token={SUPER_TOKEN}")
    assert response.status_code == 204, response.content
    assert not Project.objects.filter(key=key).exists()
    assert get_project(key) is None
    assert not Path(database_settings(url)["NAME"]).exists()
    assert_error(api.get(f"/{key}/"), 401, 3)


@pytest.mark.engines("postgres", "mariadb")
def test_create_on_a_database_server_from_db_keys(api, engine, cleanup, super_token):
    key = new_key(cleanup)
    keys = server_keys(engine)
    create_and_use(api, key, keys)
    url = Project.objects.get(key=key).database_url
    cleanup.urls.append(url)
    assert url.startswith("postgres://" if engine == "postgres" else "mysql://")
    assert url.endswith("/" + keys["db_name"])
    assert databases.database_exists(url)
    assert api.delete(f"/server/projects/{key}", {"super_admin_token": SUPER_TOKEN}, format="json").status_code == 204
    assert not databases.database_exists(url)


@pytest.mark.engines("sqlite")
def test_existing_project_is_409_code_18_unless_forced(api, engine, cleanup, super_token):
    key = new_key(cleanup)
    assert api.post("/server/projects", body(key, project_name="First"), format="json").status_code == 204
    assert_error(api.post("/server/projects", body(key, project_name="Second"), format="json"), 409, 18)
    assert api.get(f"/{key}/").json()["data"]["api"]["project_name"] == "First"
    response = api.post("/server/projects", body(key, project_name="Second", force=True), format="json")
    assert response.status_code == 204, response.content
    assert api.get(f"/{key}/").json()["data"]["api"]["project_name"] == "Second"


# -- refused requests leave nothing behind --------------------------------------------------------


def assert_nothing_made(key: str) -> None:
    assert not Project.objects.filter(key=key).exists()
    assert not (Path(django_settings.DATA_DIR) / "projects" / f"{key}.sqlite3").exists()


@pytest.mark.parametrize("token", ["wrong", "the-super-admin-token ", 12])
def test_wrong_super_admin_token_is_401_code_3(api, cleanup, super_token, token):
    key = new_key(cleanup)
    message = assert_error(api.post("/server/projects", body(key, super_admin_token=token), format="json"), 401, 3)
    assert message == "Permission denied: Superadmin Only"
    assert_nothing_made(key)


def test_missing_super_admin_token_is_422_code_4(api, cleanup, super_token):
    key = new_key(cleanup)
    assert_error(api.post("/server/projects", body(key, super_admin_token=None), format="json"), 422, 4)
    assert_nothing_made(key)


def test_no_configured_token_refuses_project_management(api, cleanup, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "SUPER_ADMIN_TOKEN": ""}
    key = new_key(cleanup)
    assert_error(api.post("/server/projects", body(key, super_admin_token="anything"), format="json"), 401, 3)
    assert_nothing_made(key)


@pytest.mark.parametrize(
    "values",
    [
        {"project": "Bad Key!"},
        {"project": "server"},
        {"project": None},
        {"user_email": None},
        {"user_email": "not-an-email"},
        {"user_password": ""},
        {"db_name": "x"},  # db_user missing
        {"db_name": "x", "db_user": "u", "db_type": "oracle"},
        {"db_name": "x", "db_user": "u", "db_port": "http"},
        {"db_host": "db.example.com"},  # no db_name
        {"cache": "redis"},
        {"force": "maybe"},
    ],
)
def test_invalid_payload_is_422_code_4(api, cleanup, super_token, values):
    key = new_key(cleanup)
    assert_error(api.post("/server/projects", body(key, **values), format="json"), 422, 4)
    assert_nothing_made(key)


def test_empty_payload_is_400_code_13(api, control_db, super_token):
    assert_error(api.post("/server/projects", {}, format="json"), 400, 13)


def test_locked_installation_is_403_code_10(api, cleanup, super_token, settings, tmp_path):
    lock = tmp_path / ".lock"
    lock.write_text("")
    settings.DIRECTUS = {**settings.DIRECTUS, "PROJECTS_LOCK_FILE": str(lock)}
    key = new_key(cleanup)
    message = assert_error(api.post("/server/projects", body(key), format="json"), 403, 10)
    assert message == "Creating new instance is locked"
    assert_nothing_made(key)


@pytest.mark.parametrize("kind", ["mysql", "postgres"])
def test_unreachable_database_is_400_code_19(api, cleanup, super_token, kind):
    key = new_key(cleanup)
    values = {"db_type": kind, "db_host": "127.0.0.1", "db_port": 1, "db_user": "u", "db_name": "nowhere"}
    assert_error(api.post("/server/projects", body(key, **values), format="json"), 400, 19)
    assert_nothing_made(key)


# -- DELETE -----------------------------------------------------------------------------------------


def test_delete_needs_the_token(api, cleanup, super_token):
    assert_error(api.delete("/server/projects/anything"), 422, 4)
    assert_error(api.delete("/server/projects/anything?super_admin_token=wrong"), 401, 3)


def test_delete_unknown_project_is_404_code_1(api, cleanup, super_token):
    message = assert_error(api.delete(f"/server/projects/ghost?super_admin_token={SUPER_TOKEN}"), 404, 1)
    assert message == "Unknown Project: ghost"


@pytest.mark.engines("sqlite")
def test_delete_with_wrong_token_keeps_the_project(api, engine, cleanup, super_token):
    key = new_key(cleanup)
    assert api.post("/server/projects", body(key), format="json").status_code == 204
    assert_error(api.delete(f"/server/projects/{key}?super_admin_token=nope"), 401, 3)
    assert Project.objects.filter(key=key).exists()
    assert login(api, key).status_code == 200


def test_wrong_method_is_405(api, control_db):
    assert_error(api.get("/server/projects/anything"), 405, 6)
