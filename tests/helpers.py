"""What an error answer looks like, asserted in one place for every test: the Directus envelope
`{"error": {"code": N, "message": "..."}}` (errors.md), GraphQL's `errors` list and SCIM's error
resource.

    assert_error(response, 403, 300)             # the status, the code and the envelope; the message
    assert error_of(response) == (401, 3)        # the same, as a value to compare
"""

import json

SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_CONTENT_TYPE = "application/scim+json;charset=utf-8"


def envelope_code(body) -> int:
    """The code of a Directus error body, which holds the error and nothing else."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error.get("code"), int) and not isinstance(error["code"], bool), body
    assert isinstance(error.get("message"), str) and error["message"], body
    return error["code"]


def error_of(response) -> tuple[int, int]:
    """The HTTP status and the Directus error code of an error answer."""
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response.content)
    return response.status_code, envelope_code(response.json())


def assert_error(response, status: int, code: int) -> str:
    """Assert an error answer with this status and code; its message."""
    assert error_of(response) == (status, code), response.content
    return response.json()["error"]["message"]


def graphql_error(response, status: int = 200, code: int | None = None) -> dict:
    """Assert a GraphQL answer with errors (the first one's `extensions.code`, when given); the
    first error."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body.get("errors"), body
    error = body["errors"][0]
    if code is not None:
        assert error.get("extensions", {}).get("code") == code, body
    return error


def scim_error(response, status: int, scim_type: str | None = None) -> str:
    """Assert a SCIM error resource (RFC 7644 § 3.12) with this status; its detail."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM_CONTENT_TYPE
    body = json.loads(response.content)
    assert body["schemas"] == [SCIM_ERROR]
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    return body["detail"]
