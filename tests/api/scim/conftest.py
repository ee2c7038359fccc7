import json

import pytest

from tests.api.users.factories import EDITOR_TOKEN, client_with_token, editor, schema  # noqa: F401

SCIM_TYPE = "application/scim+json"


class Scim:
    """Send SCIM requests the way identity providers do (application/scim+json bodies)."""

    def __init__(self, client, base: str):
        self.client = client
        self.base = base

    def _send(self, method: str, path: str, body=None, **extra):
        data = json.dumps(body) if body is not None else ""
        return self.client.generic(method, f"{self.base}/{path}", data, content_type=SCIM_TYPE, **extra)

    def get(self, path: str, params: dict | None = None):
        return self.client.get(f"{self.base}/{path}", params or {})

    def post(self, path, body):
        return self._send("POST", path, body)

    def put(self, path, body):
        return self._send("PUT", path, body)

    def patch(self, path, body):
        return self._send("PATCH", path, body)

    def delete(self, path):
        return self._send("DELETE", path)


@pytest.fixture
def scim(admin_api, url):
    return Scim(admin_api, url("scim/v2").rstrip("/"))


@pytest.fixture
def scim_public(api, url):
    return Scim(api, url("scim/v2").rstrip("/"))


@pytest.fixture
def scim_editor(request, url):
    request.getfixturevalue("editor")  # the non-admin user of tests.api.users.factories
    return Scim(client_with_token(EDITOR_TOKEN), url("scim/v2").rstrip("/"))
