"""The project registry in the operators' Django admin (/_admin/)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from apps.projects import databases
from apps.projects.models import Project
from apps.projects.registry import get_project

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD

CHANGELIST = "/_admin/projects/project/"


@pytest.fixture
def operator(control_db):
    user = get_user_model().objects.create_superuser("operator", "operator@example.com", "operator password")
    client = Client()
    client.force_login(user)
    yield client
    user.delete()


@pytest.mark.engines("sqlite")
def test_admin_creates_lists_and_deletes_projects(engine, operator, cleanup):
    key, _ = cleanup.names(engine, "adm")
    path = Path(settings.DATA_DIR) / "projects" / f"{key}.sqlite3"
    cleanup.urls.append(f"sqlite:///{path}")

    response = operator.get(f"{CHANGELIST}add/")
    assert response.status_code == 200
    response = operator.post(
        f"{CHANGELIST}add/",
        {"key": key, "database_url": "", "admin_email": ADMIN_EMAIL, "admin_password": ADMIN_PASSWORD, "storage": "{}"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(key=key)
    assert path.exists()
    assert get_project(key) is not None

    listing = operator.get(CHANGELIST)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert key in body and "SQLite" in body
    assert project.secret_key not in body
    assert project.public_key not in body

    change = operator.get(f"{CHANGELIST}{project.pk}/change/").content.decode()
    assert project.secret_key not in change  # shown masked, read-only
    assert project.secret_key[:4] + "…" in change
    assert 'name="database_url"' not in change  # read-only after creation
    assert 'name="secret_key"' not in change
    assert 'name="key"' not in change

    response = operator.post(f"{CHANGELIST}{project.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Project.objects.filter(key=key).exists()
    assert get_project(key) is None
    assert path.exists()  # the database is kept, as with deleteproject


@pytest.mark.engines("sqlite")
def test_admin_reports_refusals_as_form_errors(engine, operator, cleanup):
    key, url = cleanup.names(engine, "admbad")
    count = Project.objects.count()
    for data, message in (
        ({"key": "server"}, "reserved"),
        ({"key": key, "database_url": url}, "admin email and password"),
        ({"key": key, "database_url": url, "existing": "on"}, "does not exist"),
    ):
        response = operator.post(
            f"{CHANGELIST}add/",
            {"admin_email": "", "admin_password": "", "storage": "{}", **data},
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert Project.objects.count() == count
    assert not databases.database_exists(url)


@pytest.mark.engines("sqlite")
def test_admin_change_keeps_url_and_secrets(engine, operator, cleanup):
    key, url = cleanup.names(engine, "admchg")
    from django.core.management import call_command

    call_command(
        "createproject", key, database_url=url, admin_email=ADMIN_EMAIL, admin_password=ADMIN_PASSWORD, verbosity=0
    )
    project = Project.objects.get(key=key)
    response = operator.post(
        f"{CHANGELIST}{project.pk}/change/",
        {
            "private": "on",
            "storage": '{"backend": "local"}',
            "database_url": "sqlite:////tmp/elsewhere.sqlite3",
            "secret_key": "changed",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = Project.objects.get(pk=project.pk)
    assert changed.private
    assert changed.storage == {"backend": "local"}
    assert (changed.database_url, changed.secret_key, changed.key) == (
        project.database_url,
        project.secret_key,
        project.key,
    )
    assert get_project(key).private
