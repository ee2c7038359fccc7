"""The per-project read-only pages (the schema snapshot among them), the migrate action and the
delete confirmation of the operators' Django admin (/_admin/)."""

import json

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.mail import outbox
from apps.projects.context import using_project
from apps.projects.models import Project
from apps.snapshots.snapshot import take_snapshot
from apps.webhooks import queue as webhooks
from tests.conftest import ADMIN_TOKEN, drop_project, make_project

CHANGELIST = "/_admin/projects/project/"
SECTIONS = ("users", "roles", "collections", "activity", "mail", "webhooks")


def data_url(key: str, section: str) -> str:
    return f"{CHANGELIST}{key}/data/{section}/"


def populate(config, tag: str) -> dict:
    """Users, a role, a collection and activity that only this project has."""
    from apps.activity.models import Activity
    from apps.roles.models import Role
    from apps.users.models import User

    marks = {
        "email": f"only-{tag}@example.com",
        "role": f"Role only in {tag}",
        "collection": f"things_only_{tag}",
        "item": f"item-only-{tag}",
        "mail": f"Mail only in {tag}",
        "webhook": f"https://hooks.example.com/only-{tag}",
    }
    with using_project(config):
        role = Role.objects.create(name=marks["role"])
        user = User.objects.create(
            email=marks["email"], first_name="Only", last_name=tag, status="active", role=role.id
        )
        Activity.objects.create(
            action="update",
            action_by=user.id,
            action_on=timezone.now(),
            ip="127.0.0.1",
            user_agent="test",
            collection=marks["collection"],
            item=marks["item"],
        )
        outbox.queue(to=[marks["email"]], subject=marks["mail"], text=f"secret link of {tag}")
        webhooks.enqueue(config.alias, [(7, "POST", marks["webhook"])], "item.create.things:after", f'"payload {tag}"')
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN}")
    response = api.post(
        f"/{config.key}/collections",
        {
            "collection": marks["collection"],
            "fields": [
                {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
                {"field": "name", "type": "string", "datatype": "VARCHAR", "length": 100},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    return marks


@pytest.fixture(scope="module")
def two_projects(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        a = make_project("sqlite", "adma")
        try:
            b = make_project("sqlite", "admb")
        except Exception:
            drop_project(a)
            raise
        try:
            marks = {a.key: populate(a, "a"), b.key: populate(b, "b")}
            yield a, b, marks
        finally:
            drop_project(a)
            drop_project(b)


@pytest.fixture
def control(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator(control):
    user = get_user_model().objects.create_superuser("viewop", "viewop@example.com", "operator password")
    yield _client(user)
    user.delete()


@pytest.fixture
def staff_without_permission(control):
    user = get_user_model().objects.create_user("plainstaff", "plainstaff@example.com", "pw", is_staff=True)
    yield _client(user)
    user.delete()


@pytest.fixture
def staff_viewer(control):
    user = get_user_model().objects.create_user("viewer", "viewer@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_project", content_type__app_label="projects"))
    yield _client(user)
    user.delete()


@pytest.fixture
def non_staff(control):
    user = get_user_model().objects.create_user("nonstaff", "nonstaff@example.com", "pw")
    yield _client(user)
    user.delete()


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_pages_show_only_the_project_in_the_url(two_projects, operator, order):
    a, b, marks = two_projects
    first, second = (a, b) if order == "ab" else (b, a)
    for shown, hidden in ((first, second), (second, first)):
        mine, theirs = marks[shown.key], marks[hidden.key]
        pages = {section: operator.get(data_url(shown.key, section)) for section in SECTIONS}
        for section, response in pages.items():
            assert response.status_code == 200, (section, response.content.decode()[:2000])
            body = response.content.decode()
            assert shown.key in body
            for value in theirs.values():
                assert value not in body, (section, value)
            assert "<form" not in body.split('id="content-main"', 1)[1]  # nothing writable
        users = pages["users"].content.decode()
        assert mine["email"] in users and "Only " in users and mine["role"] in users and "active" in users
        assert "admin@example.com" in users
        roles = pages["roles"].content.decode()
        assert mine["role"] in roles and "Administrator" in roles
        collections = pages["collections"].content.decode()
        assert mine["collection"] in collections
        activity = pages["activity"].content.decode()
        assert mine["item"] in activity and mine["email"] in activity
        assert mine["collection"] in activity
        queue = pages["mail"].content.decode()
        assert mine["mail"] in queue and mine["email"] in queue and "queued" in queue
        assert "secret link" not in queue  # bodies hold reset and invitation links
        deliveries = pages["webhooks"].content.decode()
        assert mine["webhook"] in deliveries and "item.create.things:after" in deliveries and "queued" in deliveries
        assert "payload" not in deliveries  # bodies carry item data


def test_roles_page_counts_users(two_projects, operator):
    a, _, marks = two_projects
    body = operator.get(data_url(a.key, "roles")).content.decode()
    row = next(line for line in body.split("<tr>") if marks[a.key]["role"] in line)
    assert "<td>1</td>" in row


def test_pages_are_read_only(two_projects, operator):
    a, _, _ = two_projects
    response = operator.post(data_url(a.key, "users"), {"email": "x@example.com"})
    # No form handling: a POST renders the same read-only page and changes nothing.
    assert response.status_code == 200
    from apps.users.models import User

    with using_project(a):
        assert not User.objects.filter(email="x@example.com").exists()


def test_links_from_list_and_change_page(two_projects, operator):
    a, _, _ = two_projects
    listing = operator.get(CHANGELIST).content.decode()
    change = operator.get(f"{CHANGELIST}{Project.objects.get(key=a.key).pk}/change/").content.decode()
    for section in SECTIONS:
        assert data_url(a.key, section) in listing
        assert data_url(a.key, section) in change


def test_unknown_project_or_section_is_404(two_projects, operator):
    a, _, _ = two_projects
    assert operator.get(data_url("no-such-project", "users")).status_code == 404
    assert operator.get(data_url(a.key, "secrets")).status_code == 404


def test_access_needs_staff_with_view_permission(two_projects, non_staff, staff_without_permission, staff_viewer):
    a, _, marks = two_projects
    anonymous = Client()
    for client in (anonymous, non_staff):
        response = client.get(data_url(a.key, "users"))
        assert response.status_code == 302
        assert "/_admin/login/" in response["Location"]
    assert staff_without_permission.get(data_url(a.key, "users")).status_code == 403
    response = staff_viewer.get(data_url(a.key, "users"))
    assert response.status_code == 200
    assert marks[a.key]["email"] in response.content.decode()


def test_migrate_action(two_projects, operator):
    a, b, _ = two_projects
    pks = list(Project.objects.filter(key__in=[a.key, b.key]).values_list("pk", flat=True))
    response = operator.post(CHANGELIST, {"action": "migrate", "_selected_action": pks}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Migrated {a.key}: already up to date." in body
    assert f"Migrated {b.key}: already up to date." in body


def test_migrate_action_applies_pending_migrations(operator):
    from django.core.management import call_command

    config = make_project("sqlite", "admm")  # its own project: this one loses its activity table
    try:
        call_command("migrate", "activity", "zero", database=config.alias, verbosity=0)
        pk = Project.objects.get(key=config.key).pk
        response = operator.post(CHANGELIST, {"action": "migrate", "_selected_action": [pk]}, follow=True)
        body = response.content.decode()
        assert f"Migrated {config.key}:" in body and "migration(s) applied." in body
        # The table is back (empty): the activity page reads it.
        assert operator.get(data_url(config.key, "activity")).status_code == 200
    finally:
        drop_project(config)


def test_migrate_action_reports_failures(two_projects, operator, monkeypatch):
    from apps.operations import admin as projects_admin

    a, _, _ = two_projects

    def broken(config, **kwargs):
        raise RuntimeError("server down\nmore detail")

    monkeypatch.setattr(projects_admin, "migrate_project", broken)
    pk = Project.objects.get(key=a.key).pk
    response = operator.post(CHANGELIST, {"action": "migrate", "_selected_action": [pk]}, follow=True)
    assert f"Migrating {a.key} failed: RuntimeError: server down" in response.content.decode()


def test_delete_confirmation_says_the_database_is_kept(two_projects, operator):
    a, b, _ = two_projects
    pk = Project.objects.get(key=a.key).pk
    response = operator.get(f"{CHANGELIST}{pk}/delete/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Are you sure" in body
    assert "database is kept" in body
    pks = list(Project.objects.filter(key__in=[a.key, b.key]).values_list("pk", flat=True))
    response = operator.post(CHANGELIST, {"action": "delete_selected", "_selected_action": pks})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Are you sure" in body and "databases are kept" in body
    assert Project.objects.filter(key__in=[a.key, b.key]).count() == 2  # only asked, not deleted


def schema_url(key: str) -> str:
    return f"{CHANGELIST}{key}/schema/"


def test_schema_page_shows_the_project_snapshot_and_downloads_it(two_projects, operator):
    a, b, marks = two_projects
    page = operator.get(schema_url(a.key))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"collection: {marks[a.key]['collection']}" in body
    assert marks[b.key]["collection"] not in body
    assert "<form" not in body.split('id="content-main"', 1)[1]
    with using_project(a):
        expected = take_snapshot()
    for fmt, load in (("yaml", yaml.safe_load), ("json", json.loads)):
        assert f'href="?download={fmt}"' in body
        response = operator.get(schema_url(a.key), {"download": fmt})
        assert response["Content-Type"].startswith(f"application/{fmt}")
        assert response["Content-Disposition"] == f'attachment; filename="{a.key}-schema.{fmt}"'
        assert load(response.content.decode()) == expected
    assert operator.get(schema_url(a.key), {"download": "xml"}).status_code == 404
    assert operator.get(schema_url("no-such-project")).status_code == 404
    change = operator.get(f"{CHANGELIST}{Project.objects.get(key=a.key).pk}/change/").content.decode()
    assert schema_url(a.key) in change and schema_url(a.key) in operator.get(CHANGELIST).content.decode()


def test_schema_page_needs_staff_with_view_permission(two_projects, non_staff, staff_without_permission, staff_viewer):
    a, _, _ = two_projects
    for client in (Client(), non_staff):
        assert client.get(schema_url(a.key)).status_code == 302
    assert staff_without_permission.get(schema_url(a.key)).status_code == 403
    assert staff_without_permission.get(schema_url(a.key), {"download": "yaml"}).status_code == 403
    assert staff_viewer.get(schema_url(a.key)).status_code == 200
