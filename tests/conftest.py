"""Shared fixtures: real project databases on each engine of the matrix, and API clients.

A test that takes `project` (or anything built on it) runs once per available engine. Each
engine's project database is created once per session through the real `create_project`
service; every test runs inside a transaction on that database that is rolled back afterwards.
"""

import os
import uuid
from contextlib import ExitStack, contextmanager

import pytest
from django.db import connections, transaction
from rest_framework.test import APIClient

from tests.engines import ENGINES, database_url, unavailable_reason

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery staple"
ADMIN_TOKEN = "admin-static-token"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config):
    missing = {engine: reason for engine in ENGINES if (reason := unavailable_reason(engine))}
    config._directus_missing_engines = missing
    if missing and _in_ci():
        raise pytest.UsageError("CI=true but database engines are missing: " + "; ".join(missing.values()))


def pytest_report_header(config):
    missing = config._directus_missing_engines
    available = [engine for engine in ENGINES if engine not in missing]
    lines = [f"database engines under test: {', '.join(available)}"]
    lines += [f"SKIPPING ENGINE {reason}" for reason in missing.values()]
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for reason in config._directus_missing_engines.values():
        terminalreporter.write_line(f"SKIPPED ENGINE: {reason}", yellow=True)


def pytest_generate_tests(metafunc):
    if "engine" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("engines")
    wanted = marker.args if marker else ENGINES
    params = []
    for engine in wanted:
        reason = unavailable_reason(engine)
        marks = [pytest.mark.skip(reason=f"SKIPPED ENGINE: {reason}")] if reason else []
        params.append(pytest.param(engine, marks=marks, id=engine))
    metafunc.parametrize("engine", params, indirect=True, scope="session")


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """The control database for the session (project databases are made by `make_project`)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        state = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
    yield
    with django_db_blocker.unblock():
        teardown_databases(state, verbosity=0)


@pytest.fixture(scope="session")
def engine(request):
    return request.param


def _worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw") + uuid.uuid4().hex[:6]


def make_project(engine: str, key_prefix: str, **kwargs):
    """Create a real project on `engine` through the service the commands use."""
    from django.conf import settings

    from apps.operations.services import create_project
    from apps.projects.registry import ProjectConfig

    suffix = _worker_suffix()
    key = f"{key_prefix}-{engine}-{suffix}".lower()
    url = database_url(engine, f"dxt_{engine}_{key_prefix}_{suffix}".replace("-", "_"), settings.DATA_DIR)
    kwargs.setdefault("admin_email", ADMIN_EMAIL)
    kwargs.setdefault("admin_password", ADMIN_PASSWORD)
    kwargs.setdefault("admin_token", ADMIN_TOKEN)
    project = create_project(key, database_url=url, **kwargs)
    return ProjectConfig.from_model(project)


def drop_project(config) -> None:
    from apps.operations.services import delete_project

    delete_project(config.key, drop_database=True)


@pytest.fixture(scope="session")
def session_project(engine, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        config = make_project(engine, "t")
    yield config
    with django_db_blocker.unblock():
        drop_project(config)


@contextmanager
def rolled_back(*aliases: str):
    """Run the block inside transactions on these databases and roll them all back."""
    from apps.schema.cache import forget_config

    with ExitStack() as stack:
        for alias in aliases:
            stack.enter_context(transaction.atomic(using=alias))
        try:
            yield
        finally:
            for alias in aliases:
                transaction.set_rollback(True, using=alias)
            # The rollback takes the version counter back too: what workers cached must go.
            stack.callback(forget_config)


@pytest.fixture
def project(session_project, django_db_blocker):
    """The engine's project, selected as current. The test runs inside transactions on the
    control and the project database, both rolled back afterwards."""
    from apps.projects.context import using_project

    with django_db_blocker.unblock():
        with using_project(session_project), rolled_back("default", session_project.alias):
            yield session_project
        connections[session_project.alias].close_if_unusable_or_obsolete()


@pytest.fixture
def api():
    return APIClient()


def sent_mail() -> list:
    """The mail sent so far (Django's test outbox), after delivering the current project's queue
    as the delivery worker would: requests only queue mail."""
    from django.core import mail

    from apps.mail.outbox import send_due

    send_due()
    return mail.outbox


def admin_client() -> APIClient:
    """A client authenticated as the projects' admin with its static token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}")
    return client


def url_builder(project):
    """Build a project URL: url("users/me") -> "/<key>/users/me"."""

    def build(path: str = "") -> str:
        return f"/{project.key}/{path}"

    return build


@pytest.fixture
def admin_api(project):
    return admin_client()


@pytest.fixture
def url(project):
    return url_builder(project)


@pytest.fixture
def schema_project(session_project, django_db_blocker):
    """The engine's project for tests that change the schema. DDL commits on MariaDB, so these
    tests run without a surrounding transaction; the tables and metadata they created are
    removed afterwards."""
    from apps.projects.context import using_project
    from apps.schema import introspect

    alias = session_project.alias
    with django_db_blocker.unblock(), using_project(session_project):
        before = set(introspect.table_names(alias))
        try:
            yield session_project
        finally:
            remove_collections(alias, set(introspect.table_names(alias)) - before)


def remove_collections(alias: str, tables: set[str]) -> None:
    """Drop test-made tables and every metadata row of collections that are not system ones."""
    from django.db.models import Q

    from apps.activity.models import Activity
    from apps.permissions.models import Permission
    from apps.presets.models import CollectionPreset
    from apps.revisions.models import Revision
    from apps.schema import cache
    from apps.schema.models import Collection, Field, Relation

    connection = connections[alias]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
    user_rows = ~Q(collection__startswith="directus_")
    Field.objects.using(alias).filter(user_rows).delete()
    Collection.objects.using(alias).filter(user_rows).delete()
    Permission.objects.using(alias).filter(user_rows).delete()
    CollectionPreset.objects.using(alias).filter(user_rows).delete()
    Activity.objects.using(alias).filter(user_rows).delete()
    Revision.objects.using(alias).filter(user_rows).delete()
    Relation.objects.using(alias).exclude(collection_many__startswith="directus_").delete()
    cache.bump(alias, set(tables), dropped=set(tables))


@pytest.fixture
def schema_admin_api(schema_project):
    return admin_client()


@pytest.fixture
def schema_url(schema_project):
    return url_builder(schema_project)


@pytest.fixture
def blog(schema_project):
    """The blog schema (tests/blog.py) in the engine's schema project."""
    from tests.blog import build_blog_schema

    build_blog_schema()
    return schema_project
