"""Generated input against every operation of the project's own OpenAPI document, on every engine:
no answer is a server error and every error is the Directus envelope.

schemathesis draws requests from the document (valid ones, and ones that break it on purpose:
missing or extra parameters, wrong types, odd values) with a
fixed seed and a bounded number of examples per operation, and calls the WSGI application in
process, as the admin, inside the test's rolled-back transactions. A case it finds is kept as a
plain regression test of its own in the resource's tests."""

import itertools
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from directus.wsgi import application
from tests.conftest import ADMIN_TOKEN

EXAMPLES_PER_OPERATION = 3
AS_ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def document(project):
    """The document the server gives the admin of this engine's project. As Django's test client
    does, requests keep the test's database connections (its transactions roll everything back)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(f"/{project.key}/openapi.json", application, headers=AS_ADMIN)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def problems_of(response) -> str | None:
    if response.status_code >= 500 and response.status_code != 503:
        return f"{response.status_code}: {response.text[:200]}"
    if response.status_code >= 400 and response.headers.get("Content-Type", [""])[0].startswith("application/json"):
        body = json.loads(response.content) if response.content else {}
        if set(body) != {"error"} or not isinstance(body["error"].get("code"), int):
            return f"{response.status_code} without the error envelope: {response.text[:200]}"
    return None


def test_no_generated_input_reaches_a_server_error(document):
    found: dict[str, str] = {}
    operations = [result.ok() for result in document.get_all_operations()]
    assert len(operations) > 50

    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            problem = problems_of(case.call(headers=AS_ADMIN))
            if problem is not None:
                found.setdefault(case.operation.label, f"{problem}\n  {case.as_curl_command()}")

        try:
            check()
        except Unsatisfiable:  # nothing of this operation can be broken (no parameters, no body)
            continue
    assert not found, "\n".join(f"{label}: {problem}" for label, problem in found.items())
