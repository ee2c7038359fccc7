"""The schema snapshot routes: admins only (the public role `401` code 3, other users `403`
code 10), the snapshot as data or as a file, and YAML bodies."""

import pytest
import yaml
from rest_framework.test import APIClient

from apps.roles.models import Role
from apps.users.models import User
from tests.helpers import assert_error

ROUTES = [("get", "schema/snapshot"), ("post", "schema/diff"), ("post", "schema/apply")]
EMPTY = {"version": 1, "collections": [], "relations": []}


def editor_client() -> APIClient:
    role = Role.objects.create(name="Editors")
    User.objects.create(email="editor@example.com", status="active", role=role.pk, token="editor-token")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer editor-token")
    return client


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_the_public_role_is_unauthorized(project, api, url, method, route):
    assert_error(getattr(api, method)(url(route), EMPTY, format="json"), 401, 3)


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_users_who_are_no_admins_are_forbidden(project, url, method, route):
    message = assert_error(getattr(editor_client(), method)(url(route), EMPTY, format="json"), 403, 10)
    assert "Admin" in message


def test_the_snapshot_of_a_project_without_collections(project, admin_api, url):
    response = admin_api.get(url("schema/snapshot"))
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data == {"version": 1, "directus": "8.8.1", "engine": data["engine"], "collections": [], "relations": []}
    assert data["engine"] in {"sqlite", "postgresql", "mariadb", "mysql"}


@pytest.mark.parametrize(("export", "content_type"), [("yaml", "application/yaml"), ("json", "application/json")])
def test_the_snapshot_as_a_file(blog, schema_admin_api, schema_url, schema_project, export, content_type):
    data = schema_admin_api.get(schema_url("schema/snapshot")).json()["data"]
    response = schema_admin_api.get(schema_url(f"schema/snapshot?export={export}"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == f'attachment; filename="{schema_project.key}-schema.{export}"'
    assert yaml.safe_load(response.content.decode()) == data


def test_an_unknown_export_format_is_refused(project, admin_api, url):
    assert "yaml" in assert_error(admin_api.get(url("schema/snapshot?export=xml")), 422, 4)


def test_a_yaml_body_is_read_like_json(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    text = api.get(url("schema/snapshot?export=yaml")).content.decode().replace("length: 100", "length: 120", 1)
    for route in ("diff", "apply"):
        response = api.post(url(f"schema/{route}"), text, content_type="application/yaml")
        assert response.status_code == 200, response.content
        assert [c["after"] for c in response.json()["data"]["changes"]] == [{"length": 120}]
    assert api.post(url("schema/diff"), text, content_type="application/yaml").json()["data"]["changes"] == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [("a: &x [1]\nb: *x\n", 422, 4), ("version: 1\ncollections: [\n", 422, 4), ("- 1\n- 2\n", 400, 13)],
)
def test_bad_yaml_bodies_are_refused(project, admin_api, url, body, status, code):
    assert_error(admin_api.post(url("schema/diff"), body, content_type="application/yaml"), status, code)


def test_other_methods_are_not_allowed(project, admin_api, url):
    assert_error(admin_api.post(url("schema/snapshot"), EMPTY, format="json"), 405, 6)
    assert_error(admin_api.get(url("schema/apply")), 405, 6)
