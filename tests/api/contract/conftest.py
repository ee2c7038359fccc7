import pytest
from django.db import connections

from apps.projects.context import using_project
from tests.conftest import rolled_back

from .routes import ROUTES
from .world import build_world, remove_world


@pytest.fixture(scope="module")
def world(session_project, django_db_blocker):
    """The contract's project on this engine (tests/api/contract/world.py), built once."""
    with django_db_blocker.unblock(), using_project(session_project):
        built = build_world(session_project, ROUTES)
    yield built
    with django_db_blocker.unblock(), using_project(session_project):
        remove_world(built)


@pytest.fixture
def contract(world, django_db_blocker):
    """The world, inside transactions on the control and the project database that are rolled
    back after the test."""
    with django_db_blocker.unblock():
        with using_project(world.project), rolled_back("default", world.project.alias):
            yield world
        connections[world.project.alias].close_if_unusable_or_obsolete()
