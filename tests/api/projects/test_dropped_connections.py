"""A project connection the database dropped while it sat idle between requests (a restart, an
idle timeout, a terminated backend) is replaced before the next request uses it: without a round
trip when it was used less than DB_HEALTH_CHECK_IDLE_SECONDS ago (apps/projects/backends), with
Django's `SELECT 1` when it was idle for longer."""

import time

import psycopg
import pytest
from django.db import close_old_connections, connections

from apps.schema.cache import project_schema
from directus.conf import directus_settings
from tests.engines import database_url

pytestmark = pytest.mark.engines("postgres")


def terminate(alias: str) -> None:
    """End the server process of this worker's project connection, as a restart would; then what
    Django does when the next request starts (the test client leaves that out)."""
    pid = connections[alias].connection.info.backend_pid
    with psycopg.connect(database_url("postgres", "postgres", None), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        # pg_terminate_backend only signals: wait until the process has gone (its socket closed).
        deadline = time.monotonic() + 10
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.01)
    close_old_connections()


@pytest.fixture(autouse=True)
def fresh_connection_afterwards(schema_project):
    """Whatever a test leaves, the next test starts on a working connection."""
    yield
    connections[schema_project.alias].close()


def test_a_connection_dropped_just_after_use_is_replaced(schema_admin_api, schema_url, schema_project):
    alias = project_schema().alias
    assert schema_admin_api.get(schema_url("users/me")).status_code == 200
    before = connections[alias].connection.info.backend_pid
    terminate(alias)
    response = schema_admin_api.get(schema_url("users/me"))
    assert response.status_code == 200, response.content
    assert connections[alias].connection.info.backend_pid != before


def test_a_connection_idle_for_longer_is_checked_first(schema_admin_api, schema_url, schema_project, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "DB_HEALTH_CHECK_IDLE_SECONDS": 0}
    assert directus_settings.DB_HEALTH_CHECK_IDLE_SECONDS == 0
    alias = project_schema().alias
    assert schema_admin_api.get(schema_url("users/me")).status_code == 200
    terminate(alias)
    assert schema_admin_api.get(schema_url("users/me")).status_code == 200, "replaced after SELECT 1 failed"
