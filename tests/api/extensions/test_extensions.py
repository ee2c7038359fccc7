"""Extension listings (/interfaces, /layouts, /modules, /types) and custom endpoints
(/:project/custom/...), extensions.md."""

import json

import pytest

from apps.auth import tokens
from apps.extensions import registry
from tests.helpers import assert_error

from .hello.apps import register_endpoints

pytestmark = pytest.mark.engines("sqlite", "postgres")

TYPES = [
    "alias",
    "array",
    "binary",
    "boolean",
    "datetime",
    "date",
    "time",
    "file",
    "hash",
    "group",
    "integer",
    "decimal",
    "json",
    "lang",
    "m2o",
    "o2m",
    "slug",
    "sort",
    "status",
    "string",
    "translation",
    "uuid",
    "datetime_created",
    "datetime_updated",
    "owner",
    "user_updated",
    "user",
]


# -- /types and project resolution -----------------------------------------------------------------


def test_types_in_order(admin_api, project):
    response = admin_api.get("/types", {"project": project.key})
    assert response.status_code == 200, response.content
    assert response.json() == {"data": [{"name": name} for name in TYPES]}


def test_project_from_header(admin_api, project):
    response = admin_api.get("/types", HTTP_X_DIRECTUS_PROJECT=project.key)
    assert response.status_code == 200


def test_project_from_the_jwt_claim(api, project):
    token = tokens.issue_access_token(project, 1, 20)
    response = api.get("/types", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content


def test_without_a_project_is_401_code_108(admin_api, project):
    assert_error(admin_api.get("/types"), 401, 108)


def test_unknown_project_is_401_code_3(admin_api, project):
    assert_error(admin_api.get("/interfaces", {"project": "no-such-project"}), 401, 3)


def test_public_is_401_code_108(api, project):
    assert_error(api.get("/layouts", {"project": project.key}), 401, 108)


def test_invalid_token_is_401_code_101(api, project):
    assert_error(api.get("/modules", {"project": project.key}, HTTP_AUTHORIZATION="Bearer nope"), 401, 101)


# -- /interfaces, /layouts, /modules -----------------------------------------------------------------


def test_nothing_installed(admin_api, project):
    for kind in ("interfaces", "layouts", "modules"):
        response = admin_api.get(f"/{kind}", {"project": project.key})
        assert response.status_code == 200
        assert response.json() == {"data": []}


def write_meta(base, scope, kind, name, meta) -> None:
    folder = base / scope / kind / name
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(meta if isinstance(meta, str) else json.dumps(meta))


def test_installed_extensions_core_then_custom(admin_api, project, tmp_path, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "EXTENSIONS_DIR": str(tmp_path)}
    write_meta(
        tmp_path, "core", "interfaces", "text-input", {"id": "ignored", "name": "Text Input", "types": ["string"]}
    )
    write_meta(tmp_path, "core", "interfaces", "dropdown", {"name": "Dropdown"})
    write_meta(tmp_path, "custom", "interfaces", "map", {"name": "Map", "version": "1.0.0"})
    write_meta(tmp_path, "custom", "interfaces", "broken", "{not json")
    write_meta(tmp_path, "core", "layouts", "tabular", {"name": "Table"})
    response = admin_api.get("/interfaces", {"project": project.key})
    assert response.status_code == 200
    assert response.json()["data"] == [
        {"id": "dropdown", "path": "extensions/core/interfaces/dropdown/meta.json", "name": "Dropdown"},
        {
            "id": "text-input",
            "path": "extensions/core/interfaces/text-input/meta.json",
            "name": "Text Input",
            "types": ["string"],
        },
        {"id": "map", "path": "extensions/custom/interfaces/map/meta.json", "name": "Map", "version": "1.0.0"},
    ]
    layouts = admin_api.get("/layouts", {"project": project.key}).json()["data"]
    assert [entry["id"] for entry in layouts] == ["tabular"]
    assert admin_api.get("/modules", {"project": project.key}).json() == {"data": []}


# -- custom endpoints ------------------------------------------------------------------------------------


@pytest.fixture
def hello():
    register_endpoints()  # what the test app's AppConfig.ready() does
    yield
    registry.unregister("hello")


def test_custom_endpoint_of_a_registered_app(admin_api, url, project, hello):
    response = admin_api.get(url("custom/hello"))
    assert response.status_code == 200, response.content
    assert response.json() == {"data": {"hello": "world", "user": 1, "project": project.key}}
    response = admin_api.get(url("custom/hello/greet/bob"))
    assert response.json()["data"]["hello"] == "bob"


def test_custom_endpoint_needs_no_role(api, url, hello):
    response = api.get(url("custom/hello"))
    assert response.status_code == 200
    assert response.json()["data"]["user"] == 0
    assert response.json()["public"] is True


def test_custom_endpoint_refuses_bad_tokens(api, url, hello):
    assert_error(api.get(url("custom/hello"), HTTP_AUTHORIZATION="Bearer wrong"), 401, 101)
    assert_error(api.get(url("custom/hello/plain"), HTTP_AUTHORIZATION="Bearer wrong"), 401, 101)


def test_plain_django_view_gets_the_caller(admin_api, api, url, project, hello):
    response = admin_api.get(url("custom/hello/plain"))
    assert response.status_code == 200
    assert response.json() == {"data": {"user": 1, "project": project.key}}
    assert api.get(url("custom/hello/plain")).json()["data"]["user"] == 0


def test_custom_endpoint_errors_and_bodies(admin_api, api, url, hello):
    assert_error(admin_api.get(url("custom/hello/broken")), 403, 10)
    assert_error(api.post(url("custom/hello"), {"a": 1}, format="json"), 401, 108)
    response = admin_api.post(url("custom/hello"), {"a": 1}, format="json")
    assert response.json()["data"] == {"received": {"a": 1}}


def test_unknown_custom_endpoints_are_404_code_1(admin_api, url, hello):
    assert_error(admin_api.get(url("custom/nothing")), 404, 1)
    assert_error(admin_api.get(url("custom/hello/nowhere")), 404, 1)


def test_custom_endpoint_from_settings(admin_api, url, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "CUSTOM_ENDPOINTS": {"configured": "tests.api.extensions.hello.urls"}}
    response = admin_api.get(url("custom/configured/greet/ann"))
    assert response.status_code == 200
    assert response.json()["data"]["hello"] == "ann"


def test_registry_refuses_bad_names():
    with pytest.raises(ValueError):
        registry.register("../x", [])
