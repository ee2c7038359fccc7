"""Helpers for the project-management tests: these create and drop real databases outside the
`project` fixture, so they need the control database unblocked and clean up after themselves."""

import contextlib
import uuid
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import connections

from apps.projects import databases
from apps.projects.models import Project
from apps.projects.registry import ProjectConfig, drop_connection, ensure_connection, forget_project
from tests.engines import database_url

ADMIN_EMAIL = "owner@example.com"
ADMIN_PASSWORD = "a long admin password"


@dataclass
class Cleanup:
    """Projects and databases a test made; removed afterwards whatever happened."""

    keys: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def names(self, engine: str, prefix: str) -> tuple[str, str]:
        """A fresh (project key, database URL) pair on `engine`, both registered for cleanup."""
        suffix = uuid.uuid4().hex[:8]
        key = f"{prefix}-{engine}-{suffix}"
        url = database_url(engine, f"dxt_{engine}_{prefix}_{suffix}", settings.DATA_DIR)
        self.keys.append(key)
        self.urls.append(url)
        return key, url

    def run(self) -> None:
        from apps.operations.services import ProjectError, delete_project

        for key in self.keys:
            with contextlib.suppress(ProjectError):
                delete_project(key, drop_database=True)
            Project.objects.filter(key=key).delete()
            forget_project(key)
        for url in self.urls:
            with contextlib.suppress(databases.DatabaseServerError, databases.InvalidDatabaseURL):
                databases.drop_database(url)


@pytest.fixture
def control_db(django_db_setup, django_db_blocker):
    """The control database, committed to for real (these tests create registry rows)."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def cleanup(control_db):
    tracker = Cleanup()
    try:
        yield tracker
    finally:
        tracker.run()


def raw_alias(url: str) -> str:
    """A connection alias to the database at `url` (outside any project), for setting up and
    inspecting databases the way an operator's tools would."""
    config = ProjectConfig(
        key="raw-" + uuid.uuid4().hex[:8], database_url=databases.normalise_url(url), secret_key="", public_key=""
    )
    return ensure_connection(config)


def live_tables(url: str) -> set[str]:
    alias = raw_alias(url)
    try:
        with connections[alias].cursor() as cursor:
            return set(connections[alias].introspection.table_names(cursor))
    finally:
        drop_connection(alias)


def execute(url: str, *statements: str) -> None:
    alias = raw_alias(url)
    try:
        with connections[alias].cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        drop_connection(alias)
