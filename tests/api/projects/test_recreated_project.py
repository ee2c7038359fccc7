"""A project deleted and created again under the same key while workers keep running: once its
registry entry is renewed (PROJECT_CACHE_SECONDS), a worker that served the old project serves the
new one — its database, users, permission rows and schema — and never the old data."""

import contextlib
import dataclasses
from unittest import mock

from apps.operations import services
from apps.permissions.models import Permission
from apps.projects import registry
from apps.roles.models import Role
from apps.users.models import User
from tests.api.users.factories import client_with_token
from tests.helpers import error_of

ADMIN_TOKEN = "recreated-admin-token"
STAFF_TOKEN = "recreated-staff-token"


@contextlib.contextmanager
def in_another_process():
    """deleteproject and createproject as an operator runs them: in a process of their own. What
    this process (the worker) cached and the connections it holds stay as they are; only the
    databases and the registry rows change under it."""
    aliases = []

    def own_connection(config):
        alias = registry.ensure_connection(dataclasses.replace(config, key=f"cli-{config.key}"))
        aliases.append(alias)
        return alias

    with (
        mock.patch.object(services, "ensure_connection", own_connection),
        mock.patch.object(services, "drop_connection", lambda alias: None),
        mock.patch.object(services, "_forget", lambda key: None),
    ):
        yield
    for alias in set(aliases):
        registry.drop_connection(alias)


def add_staff(alias: str, *, reads_users: str) -> None:
    # The same writes in both projects: their schema versions are the same numbers.
    Role.objects.using(alias).create(id=3, name="Staff")
    Permission.objects.using(alias).create(role=3, collection="directus_users", read=reads_users)
    User.objects.using(alias).create(email="staff@example.com", role=3, status="active", token=STAFF_TOKEN)


def own_email(client, key: str) -> str:
    response = client.get(f"/{key}/users/me")
    assert response.status_code == 200, response.content
    return response.json()["data"]["email"]


def test_a_project_created_again_is_served_from_its_new_database(engine, cleanup):
    key, url = cleanup.names(engine, "again")
    admin, staff = client_with_token(ADMIN_TOKEN), client_with_token(STAFF_TOKEN)

    services.create_project(
        key, database_url=url, admin_email="old@example.com", admin_password="a long password", admin_token=ADMIN_TOKEN
    )
    add_staff(registry.get_project(key).alias, reads_users="full")
    # This worker serves the old project: registry entry, schema, permission rows, connection.
    assert own_email(admin, key) == "old@example.com"
    assert staff.get(f"/{key}/users").status_code == 200

    with in_another_process():
        services.delete_project(key, drop_database=True)
        new = services.create_project(
            key,
            database_url=url,
            admin_email="new@example.com",
            admin_password="a long password",
            admin_token=ADMIN_TOKEN,
        )
        add_staff(services.ensure_connection(registry.ProjectConfig.from_model(new)), reads_users="none")

    registry.forget_project(key)  # the worker's registry entry expired
    assert own_email(admin, key) == "new@example.com"
    listed = admin.get(f"/{key}/users", {"fields": "email"}).json()["data"]
    assert sorted(user["email"] for user in listed) == ["new@example.com", "staff@example.com"]
    # The new project's permission rows, not the old ones cached for the same schema version.
    response = staff.get(f"/{key}/users")
    assert error_of(response) == (403, 300), response.content
