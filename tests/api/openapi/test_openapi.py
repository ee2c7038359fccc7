"""GET /:project/openapi.json (apps.openapi): a valid OpenAPI 3.0 document of the system endpoints
and of the collections the caller may read, current with the schema."""

import pytest
from openapi_spec_validator import validate

from apps.openapi import builder
from apps.permissions.models import Permission
from apps.roles.models import Role
from apps.users.models import User, UserStatus
from tests.api.users.factories import client_with_token

READER_TOKEN = "openapi-reader-token"
SYSTEM_PATHS = [
    "/auth/authenticate",
    "/auth/refresh",
    "/users",
    "/users/me",
    "/users/{id}",
    "/roles",
    "/permissions",
    "/files",
    "/folders",
    "/activity",
    "/revisions",
    "/settings",
    "/collections",
    "/collections/{collection}",
    "/fields",
    "/fields/{collection}",
    "/fields/{collection}/{field}",
    "/relations",
    "/server/ping",
]


@pytest.fixture(autouse=True)
def no_cached_documents():
    """Each test starts without documents cached by earlier ones (some count them)."""
    builder.clear()


@pytest.fixture
def reader(schema_project):
    """A user of a new role that may read `authors` only (and nothing of `articles`)."""
    role = Role.objects.create(name="OpenAPI reader")
    user = User.objects.create(status=UserStatus.ACTIVE, role=role.pk, email="openapi@example.com", token=READER_TOKEN)
    Permission.objects.create(
        role=role.pk,
        collection="authors",
        create="none",
        read="full",
        update="none",
        delete="none",
        comment="none",
        read_field_blacklist=["email"],
    )
    try:
        yield client_with_token(READER_TOKEN)
    finally:
        Permission.objects.filter(role=role.pk).delete()
        User.objects.filter(pk=user.pk).delete()
        role.delete()


def document(client, schema_url) -> dict:
    response = client.get(schema_url("openapi.json"))
    assert response.status_code == 200, response.content
    doc = response.json()
    validate(doc)
    return doc


def test_system_endpoints_and_envelopes(blog, schema_admin_api, schema_url):
    doc = document(schema_admin_api, schema_url)
    assert doc["openapi"].startswith("3.0")
    assert doc["servers"][0]["url"].endswith(f"/{blog.key}")
    for path in SYSTEM_PATHS:
        assert path in doc["paths"], path
    assert set(doc["paths"]["/users"]) == {"get", "post", "patch"}
    assert set(doc["paths"]["/auth/authenticate"]) == {"post"}
    listed = {p.get("$ref", "").rsplit("/", 1)[-1] for p in doc["paths"]["/users"]["get"]["parameters"]}
    assert {"fields", "filter", "sort", "limit", "offset", "page", "meta", "q", "status"} <= listed
    for name in ("fields", "filter", "sort", "limit", "offset", "page", "meta", "q", "status"):
        assert doc["components"]["parameters"][name]["in"] == "query"
    assert "DirectusError" in doc["components"]["schemas"]
    assert "DirectusMeta" in doc["components"]["schemas"]
    # System rows are described by the system collections' real fields.
    users = doc["components"]["schemas"]["directus_users"]["properties"]
    assert users["email"]["type"] == "string"
    assert "password" not in users


def test_collection_fields_and_types(blog, schema_admin_api, schema_url):
    doc = document(schema_admin_api, schema_url)
    articles = doc["components"]["schemas"]["articles"]["properties"]
    assert articles["id"]["type"] == "integer"
    assert "nullable" not in articles["id"]
    assert articles["title"]["type"] == "string"
    assert articles["rating"] == {"type": "integer", "nullable": True}
    assert articles["created_on"]["format"] == "date-time"
    assert articles["author"]["type"] == "integer"
    assert articles["comments"]["type"] == "array"
    assert {"get", "post"} <= set(doc["paths"]["/items/articles"])
    assert {"get", "patch", "delete"} <= set(doc["paths"]["/items/articles/{id}"])
    data = doc["paths"]["/items/articles"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert data["properties"]["data"]["items"] == {"$ref": "#/components/schemas/articles"}
    assert "/items/directus_users" not in doc["paths"]


def test_field_added_through_rest_shows_up(blog, schema_admin_api, schema_url):
    assert "subtitle" not in document(schema_admin_api, schema_url)["components"]["schemas"]["articles"]["properties"]
    for field, type_, datatype in [
        ("subtitle", "string", "VARCHAR"),
        ("published", "boolean", "TINYINT"),
        ("price", "decimal", "DECIMAL"),
        ("released", "datetime", "DATETIME"),
    ]:
        body = {"field": field, "type": type_, "datatype": datatype}
        if datatype == "VARCHAR":
            body["length"] = 50
        if datatype == "DECIMAL":
            body["length"] = "10,2"
        response = schema_admin_api.post(schema_url("fields/articles"), body, format="json")
        assert response.status_code == 200, response.content
    articles = document(schema_admin_api, schema_url)["components"]["schemas"]["articles"]["properties"]
    assert articles["subtitle"] == {"type": "string", "maxLength": 50, "nullable": True}
    assert articles["published"]["type"] == "boolean"
    assert articles["price"]["type"] == "number"
    assert articles["released"]["type"] == "string" and articles["released"]["nullable"] is True
    assert "format" not in articles["released"]  # sent as YYYY-MM-DD HH:MM:SS, not RFC 3339


def test_the_document_says_what_the_api_sends_and_takes(blog, schema_admin_api, schema_url):
    doc = document(schema_admin_api, schema_url)
    schemas = doc["components"]["schemas"]
    articles = schemas["articles"]["properties"]
    # Server-set timestamps are ISO 8601 with an offset; the others Directus 8's plain text.
    assert articles["created_on"]["format"] == "date-time"
    created = schema_admin_api.post(schema_url("items/articles"), {"title": "x"}, format="json").json()["data"]
    assert created["created_on"].endswith("+00:00")
    assert set(articles["status"]["enum"]) >= {"published", "draft", "deleted"}
    # A create lists what it must give; the item schema (also a read) does not.
    create = doc["paths"]["/items/articles"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create["allOf"] == [{"$ref": "#/components/schemas/articles"}]
    assert create["required"] == ["title"]
    assert schema_admin_api.post(schema_url("items/articles"), {"rating": 1}, format="json").status_code == 422
    # Batch update where the API has one.
    for path in ("/items/articles", "/users", "/files", "/permissions"):
        body = doc["paths"][path]["patch"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["type"] == "array", path
    assert "patch" not in doc["paths"]["/roles"]


def test_role_sees_only_what_it_may_read(blog, reader, schema_admin_api, schema_url):
    doc = document(reader, schema_url)
    schemas = doc["components"]["schemas"]
    assert "authors" in schemas
    assert "email" not in schemas["authors"]["properties"]
    assert "name" in schemas["authors"]["properties"]
    assert "articles" not in schemas
    assert "/items/authors" in doc["paths"]
    assert "/items/articles" not in doc["paths"]
    assert "/users" in doc["paths"]  # the system endpoints are always described
    # The admin's document (cached separately) still has everything.
    assert "articles" in document(schema_admin_api, schema_url)["components"]["schemas"]


def test_public_caller_gets_the_system_endpoints(blog, api, schema_url):
    doc = document(api, schema_url)
    assert "/auth/authenticate" in doc["paths"]
    assert not any(path.startswith("/items/") for path in doc["paths"])
    assert "articles" not in doc["components"]["schemas"]


def test_documents_are_cached_per_version_and_role(blog, schema_admin_api, schema_url):
    document(schema_admin_api, schema_url)
    document(schema_admin_api, schema_url)
    keys = [key for key in builder.cached_keys() if key[0] == blog.key]
    assert len(keys) == 1
    assert keys[0][3] == "admin"
    response = schema_admin_api.post(
        schema_url("fields/authors"), {"field": "bio", "type": "string", "datatype": "TEXT"}, format="json"
    )
    assert response.status_code == 200, response.content
    document(schema_admin_api, schema_url)
    keys = [key for key in builder.cached_keys() if key[0] == blog.key]
    assert len(keys) == 1  # the older version's document was dropped
