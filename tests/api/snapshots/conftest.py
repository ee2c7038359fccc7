"""A second project per engine to apply snapshots to, emptied of user collections after each test."""

import pytest

from apps.projects.context import using_project
from apps.schema import introspect
from tests.conftest import drop_project, make_project, remove_collections


def user_tables(alias: str) -> set[str]:
    return {name for name in introspect.table_names(alias) if not name.startswith("directus_")}


@pytest.fixture(scope="module")
def target_project(engine, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        config = make_project(engine, "snap")
    yield config
    with django_db_blocker.unblock():
        drop_project(config)


@pytest.fixture
def target(target_project, schema_project, django_db_blocker):
    """The engine's second project (the engine's schema project stays selected)."""
    with django_db_blocker.unblock():
        try:
            yield target_project
        finally:
            with using_project(target_project):
                remove_collections(target_project.alias, user_tables(target_project.alias))
