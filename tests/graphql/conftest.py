"""Fixtures of the GraphQL tests: GraphQL clients, and a non-admin role whose rows are removed
afterwards (schema tests run without a transaction). The blog schema is the shared `blog`
fixture of tests/conftest.py."""

import pytest

from apps.permissions.models import Permission
from apps.roles.models import Role
from apps.users.models import User, UserStatus
from tests.api.users.factories import client_with_token

EDITOR_TOKEN = "graphql-editor-token"


@pytest.fixture
def gql(schema_admin_api, schema_url):
    """POST a document: gql(query, variables=None, client=admin) -> response."""

    def send(query: str, variables: dict | None = None, *, client=None, operation: str | None = None):
        body = {"query": query}
        if variables is not None:
            body["variables"] = variables
        if operation is not None:
            body["operationName"] = operation
        return (client or schema_admin_api).post(schema_url("gql"), body, format="json")

    return send


@pytest.fixture
def editor(schema_project):
    """An active user of a new role without any permission row; rows, user and role are deleted
    afterwards. Grant with `grant(collection, read="full", ...)`."""
    role = Role.objects.create(name="GraphQL editor")
    user = User.objects.create(
        status=UserStatus.ACTIVE, role=role.pk, email="gql-editor@example.com", token=EDITOR_TOKEN
    )
    try:
        yield user
    finally:
        Permission.objects.filter(role=role.pk).delete()
        User.objects.filter(pk=user.pk).delete()
        role.delete()


@pytest.fixture
def editor_api(editor):
    return client_with_token(EDITOR_TOKEN)


def grant(role: int, collection: str, status: str | None = None, **levels) -> Permission:
    values = {"create": "none", "read": "none", "update": "none", "delete": "none", "comment": "none"}
    values.update(levels)
    return Permission.objects.create(role=role, collection=collection, status=status, **values)


def as_rest(value):
    """GraphQL output with primary keys as REST sends them (`ID` is serialised as a string)."""
    if isinstance(value, list):
        return [as_rest(item) for item in value]
    if isinstance(value, dict):
        return {
            key: int(item) if key == "id" and isinstance(item, str) and item.isdigit() else as_rest(item)
            for key, item in value.items()
        }
    return value


def data_of(response) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]
