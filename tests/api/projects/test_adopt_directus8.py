"""createproject --existing on a MariaDB database that Directus 8.8.1 built: nothing of it
changes, and its users log in with the hashes PHP wrote."""

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.projects.context import using_project
from apps.projects.models import Project
from apps.projects.registry import get_project
from apps.projects.tables import bookkeeping_tables
from apps.users.models import User
from tests.engines import SERVER_URLS, unavailable_reason
from tests.fixtures import directus8

pytestmark = pytest.mark.skipif(
    unavailable_reason("mariadb") is not None, reason=f"SKIPPED ENGINE: {unavailable_reason('mariadb')}"
)


@pytest.fixture
def legacy(request, cleanup):
    """A Directus 8.8.1 database on MariaDB (tables' default charset from the `charset` param)."""
    charset = getattr(request, "param", "utf8mb4")
    name = f"dxt_d8_{uuid.uuid4().hex[:8]}"
    db = directus8.build_directus8_database(SERVER_URLS["mariadb"], name, charset=charset)
    cleanup.urls.append(db.url)
    return db


def adopt(key: str, url: str, cleanup) -> tuple[str, str]:
    cleanup.keys.append(key)
    out, err = StringIO(), StringIO()
    call_command("createproject", key, database_url=url, existing=True, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def login(api, key: str, email: str, password: str) -> str:
    response = api.post(f"/{key}/auth/authenticate", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["data"]["token"]
    assert token
    return token


def me(api, key: str, token: str) -> dict:
    response = api.get(f"/{key}/users/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response.json()["data"]


@pytest.mark.parametrize("legacy", ["utf8mb4", "utf8"], indirect=True)
def test_adoption_changes_none_of_the_directus_tables(legacy, cleanup, api):
    tables_before = directus8.table_names(legacy.url)
    before = directus8.snapshot(legacy.url)
    assert set(directus8.SYSTEM_TABLE_NAMES) <= set(before)

    key = f"legacy-{uuid.uuid4().hex[:8]}"
    out, err = adopt(key, legacy.url.replace("mysql://", "mariadb://", 1), cleanup)

    assert f"Adopted project '{key}'" in out
    assert err == ""  # a Directus 8.8.1 schema needs no warning
    # Every table as it was: same definition (AUTO_INCREMENT counters included), same rows.
    assert directus8.snapshot(legacy.url, tables=sorted(before)) == before
    # Only our own bookkeeping tables were added.
    added = directus8.table_names(legacy.url) - tables_before
    assert "django_migrations" in added
    assert added == {"django_migrations"} | bookkeeping_tables()
    assert all(name.startswith(("django_", "post_office_")) for name in added)  # ours: bookkeeping, mail queue
    row = Project.objects.get(key=key)
    assert row.adopted
    assert row.database_url == legacy.url

    # The PHP-written $2y$ hashes work as they are, for the admin and for other users.
    with using_project(get_project(key)):
        admin = User.objects.get(id=1)
        assert admin.password.startswith("$2y$10$")
        assert (admin.role, admin.status, admin.email_notifications) == (1, "active", True)
    admin_data = me(api, key, login(api, key, legacy.admin_email, legacy.admin_password))
    assert (admin_data["id"], admin_data["email"], admin_data["role"]) == (1, legacy.admin_email, 1)
    assert "password" not in admin_data
    editor_data = me(api, key, login(api, key, legacy.editor_email, legacy.editor_password))
    assert (editor_data["id"], editor_data["email"], editor_data["role"]) == (2, legacy.editor_email, 3)
    # A wrong password is still refused.
    response = api.post(f"/{key}/auth/authenticate", {"email": legacy.admin_email, "password": "wrong"}, format="json")
    assert response.status_code == 404

    # The project's own settings rows are served as they were.
    response = api.get(f"/{key}/")
    assert response.status_code == 200
    assert response.json()["data"]["api"]["project_name"] == "Legacy Magazine"

    # Migrating again (as after an upgrade of this server) leaves the Directus tables alone.
    call_command("migrate_projects", key, stdout=StringIO())
    after_migrate = directus8.snapshot(legacy.url, tables=["directus_roles", "directus_settings", "articles"])
    assert after_migrate == {name: before[name] for name in after_migrate}


def test_adoption_refuses_an_incompatible_schema_and_changes_nothing(legacy, cleanup):
    conn = directus8.connect(legacy.url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("ALTER TABLE directus_users DROP COLUMN theme")
            cursor.execute("ALTER TABLE directus_files MODIFY filesize varchar(20) NOT NULL DEFAULT '0'")
    finally:
        conn.close()
    tables_before = directus8.table_names(legacy.url)
    before = directus8.snapshot(legacy.url)

    key = f"legacy-{uuid.uuid4().hex[:8]}"
    with pytest.raises(CommandError) as raised:
        adopt(key, legacy.url, cleanup)
    message = str(raised.value)
    assert "directus_users.theme is missing" in message
    assert "directus_files.filesize is varchar" in message
    assert "nothing was changed" in message

    assert not Project.objects.filter(key=key).exists()
    assert directus8.table_names(legacy.url) == tables_before  # no django_migrations either
    assert directus8.snapshot(legacy.url) == before


def test_adoption_accepts_compatible_differences_with_warnings(legacy, cleanup):
    # Older installs: a narrower column, and a column of their own that is NOT NULL without default.
    conn = directus8.connect(legacy.url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("ALTER TABLE directus_users MODIFY last_page varchar(100) NULL DEFAULT NULL")
            cursor.execute("ALTER TABLE directus_webhooks ADD COLUMN secret varchar(64) NOT NULL")
            cursor.execute("ALTER TABLE directus_roles MODIFY enforce_2fa int(1) unsigned NULL DEFAULT 0")
    finally:
        conn.close()
    before = directus8.snapshot(legacy.url)

    key = f"legacy-{uuid.uuid4().hex[:8]}"
    _, err = adopt(key, legacy.url, cleanup)
    assert "directus_users.last_page holds 100 characters where this server accepts 192" in err
    assert "directus_webhooks.secret is NOT NULL without a default" in err
    assert "enforce_2fa" not in err  # an unsigned int(1) works as a boolean
    assert Project.objects.get(key=key).adopted
    assert directus8.snapshot(legacy.url, tables=sorted(before)) == before


def test_a_database_is_adopted_once(legacy, cleanup):
    first = f"legacy-{uuid.uuid4().hex[:8]}"
    adopt(first, legacy.url, cleanup)
    tables = directus8.table_names(legacy.url)

    second = f"legacy-{uuid.uuid4().hex[:8]}"
    with pytest.raises(CommandError, match=f"'{first}' already uses this database"):
        adopt(second, legacy.url.replace("mysql://", "mariadb://", 1), cleanup)
    assert not Project.objects.filter(key=second).exists()
    assert directus8.table_names(legacy.url) == tables


def test_a_fresh_install_refuses_a_directus8_database(legacy, cleanup):
    before = directus8.snapshot(legacy.url)
    tables = directus8.table_names(legacy.url)
    key = f"legacy-{uuid.uuid4().hex[:8]}"
    cleanup.keys.append(key)
    with pytest.raises(CommandError, match="--existing"):
        call_command(
            "createproject",
            key,
            database_url=legacy.url,
            admin_email="new@example.com",
            admin_password="new password",
            stdout=StringIO(),
        )
    assert directus8.table_names(legacy.url) == tables
    assert directus8.snapshot(legacy.url) == before


@pytest.mark.parametrize("legacy", ["utf8mb4", "utf8"], indirect=True)
def test_secrets_of_an_adopted_database_compare_exactly(legacy, cleanup, api):
    """Directus 8's tables keep their case-insensitive collation; keys still match only exactly."""
    conn = directus8.connect(legacy.url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("UPDATE directus_users SET token = %s WHERE id = 1", ["legacy-static-token"])
            cursor.execute(
                "INSERT INTO directus_files (storage, private_hash, filename_disk, filename_download, type,"
                " uploaded_by, uploaded_on, filesize) VALUES ('local', %s, 'a.txt', 'a.txt', 'text/plain', 1,"
                " '2020-01-01 00:00:00', 4)",
                ["abcdefgh12345678"],
            )
    finally:
        conn.close()
    before = directus8.snapshot(legacy.url)
    key = f"legacy-{uuid.uuid4().hex[:8]}"
    adopt(key, legacy.url, cleanup)

    assert api.get(f"/{key}/users/me", {"access_token": "legacy-static-token"}).status_code == 200
    for token in ("LEGACY-STATIC-TOKEN", "legacy-static-token\u0000", "legacy-static-token "):
        assert api.get(f"/{key}/users/me", {"access_token": token}).status_code == 401, repr(token)
    assert api.head(f"/{key}/assets/abcdefgh12345678").status_code == 200
    for asset in ("ABCDEFGH12345678", "abcdefgh12345678%00", "abcdefgh12345678%20"):
        assert api.head(f"/{key}/assets/{asset}").status_code == 404, asset
    # Compared without changing a table.
    assert directus8.snapshot(legacy.url, tables=sorted(before)) == before
