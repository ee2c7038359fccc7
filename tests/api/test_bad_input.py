"""Bad input on any route gets its status and code, never a 500: malformed bodies and query
strings, numbers out of range, methods a route does not take. Nothing is written, and the
detail stays in the server log."""

import pytest

from apps.users.models import User
from tests.helpers import assert_error


def test_json_nested_deeper_than_the_decoder_follows_is_400_code_13(admin_api, url, project):
    body = "[" * 5000 + "]" * 5000
    users = User.objects.count()
    assert_error(admin_api.post(url("users"), body, content_type="application/json"), 400, 13)
    objects = "{" + '"a":{' * 5000 + "}" * 5001
    assert_error(admin_api.patch(url("users/1"), objects, content_type="application/json"), 400, 13)
    assert User.objects.count() == users


def test_graphql_body_nested_too_deeply_is_a_graphql_error(admin_api, url, project):
    response = admin_api.post(url("gql"), "[" * 5000 + "]" * 5000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == 13


def test_multipart_without_boundary_is_400_code_13(admin_api, url, project):
    users = User.objects.count()
    for path in ("users", "files", "roles"):
        response = admin_api.generic("POST", url(path), b"x", content_type="multipart/form-data")
        assert_error(response, 400, 13)
    assert User.objects.count() == users


@pytest.mark.parametrize("query", ["=x", "0=x", "0=x&1=y", "=x&limit=1"])
def test_query_parameters_with_odd_names_are_ignored(admin_api, url, project, query):
    for path in ("users", "roles", "activity", "users/1", "collections", "fields/directus_users"):
        response = admin_api.get(url(path) + "?" + query)
        assert response.status_code == 200, response.content


def test_page_times_limit_beyond_what_the_database_takes_is_422_code_4(admin_api, url, project):
    response = admin_api.get(url("users"), {"limit": "10000000000", "page": "1000000000"})
    assert_error(response, 422, 4)
    # Their largest product the database takes is a page past the end.
    response = admin_api.get(url("users"), {"limit": "2", "page": str(2**61)})
    assert response.status_code == 200 and response.json()["data"] == []


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "PUT"])
def test_405_names_the_allowed_methods_on_every_route(admin_api, url, project, method):
    for path in ("/server/ping", "/", url("users"), url("gql")):
        response = admin_api.generic(method, path)
        assert response.status_code == 405, (path, response.content)
        assert "GET" in response["Allow"], path


def test_built_in_relations_cannot_be_changed_or_deleted(admin_api, url, project):
    from apps.schema.models import Relation

    before = list(Relation.objects.order_by("id").values())
    first = before[0]["id"]
    assert_error(admin_api.delete(url(f"relations/{first}")), 403, 303)
    assert_error(admin_api.delete(url(f"relations/{before[-1]['id']},{first}")), 403, 303)
    assert_error(admin_api.patch(url(f"relations/{first}"), {"field_one": "x"}, format="json"), 403, 302)
    assert list(Relation.objects.order_by("id").values()) == before


def test_built_in_fields_cannot_be_deleted(admin_api, url, project):
    from apps.schema.models import Field

    before = Field.objects.filter(collection="directus_users").count()
    for name in ("email", "password", "role", "status"):
        assert_error(admin_api.delete(url(f"fields/directus_users/{name}")), 403, 303)
    assert Field.objects.filter(collection="directus_users").count() == before
    assert admin_api.get(url("users/1"), {"fields": "email"}).json()["data"]["email"]
