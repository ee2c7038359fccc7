"""createproject / deleteproject / migrate_projects on each engine of the matrix."""

import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connections
from django.db.migrations.recorder import MigrationRecorder

from apps.core.passwords import check_password
from apps.operations.install import DIRECTUS8_MIGRATIONS
from apps.presets.models import CollectionPreset
from apps.projects import databases
from apps.projects.context import using_project
from apps.projects.models import Project
from apps.projects.registry import get_project
from apps.projects.tables import system_models
from apps.roles.models import Role
from apps.schema.cache import config_changed
from apps.schema.models import Field, Migration, Relation
from apps.schema.project_settings import DEFAULTS as SETTING_DEFAULTS
from apps.schema.system_fields import SYSTEM_FIELDS, SYSTEM_PRESETS, SYSTEM_RELATIONS
from apps.settings.models import Setting
from apps.users.models import User
from tests.engines import SERVER_URLS

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, execute, live_tables


def create(key, url=None, *args, **options):
    out, err = StringIO(), StringIO()
    if url is not None:
        options["database_url"] = url
    if not options.get("existing"):
        options.setdefault("admin_email", ADMIN_EMAIL)
        options.setdefault("admin_password", ADMIN_PASSWORD)
    call_command("createproject", key, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def project_tables() -> set[str]:
    return {model._meta.db_table for model in system_models()} | {"django_migrations"}


def assert_nothing_registered(key):
    assert not Project.objects.filter(key=key).exists()
    assert get_project(key) is None


# -- createproject: a fresh install ---------------------------------------------------------------


def test_createproject_builds_a_fresh_install(engine, cleanup, api):
    key, url = cleanup.names(engine, "fresh")
    out, _ = create(key, url, project_name="Thumper", admin_token="static-admin-token")

    assert f"Created project '{key}'" in out
    assert ADMIN_PASSWORD not in out
    assert databases.database_exists(url)
    row = Project.objects.get(key=key)
    assert row.database_url == databases.normalise_url(url)
    assert not row.adopted and not row.private
    assert row.secret_key and row.public_key and row.secret_key != row.public_key

    config = get_project(key)
    assert project_tables() <= live_tables(url)
    with using_project(config):
        assert dict(Role.objects.values_list("id", "name")) == {1: "Administrator", 2: "Public"}
        settings_rows = dict(Setting.objects.values_list("key", "value"))
        assert set(settings_rows) == set(SETTING_DEFAULTS)
        assert settings_rows["project_name"] == "Thumper"
        admin = User.objects.get()
        assert (admin.id, admin.role, admin.status, admin.email) == (1, 1, "active", ADMIN_EMAIL)
        assert (admin.first_name, admin.last_name, admin.token) == ("Admin", "User", "static-admin-token")
        assert admin.password.startswith("$2y$")
        assert check_password(ADMIN_PASSWORD, admin.password)
        assert Field.objects.count() == len(SYSTEM_FIELDS)
        assert Relation.objects.count() == len(SYSTEM_RELATIONS)
        assert CollectionPreset.objects.count() == len(SYSTEM_PRESETS)
        assert sorted(Migration.objects.values_list("version", flat=True)) == [v for v, _ in DIRECTUS8_MIGRATIONS]

        # Rows were seeded with explicit ids: new rows must get the next ids (PostgreSQL
        # sequences moved past the seeds).
        assert Role.objects.create(name="Editors").id == 3
        assert User.objects.create(email="second@example.com", role=3).id == 2
        assert Setting.objects.create(key="custom_setting", value="1").id == len(SETTING_DEFAULTS) + 1
        assert Field.objects.create(collection="x", field="y", type="string").id == len(SYSTEM_FIELDS) + 1
        assert Relation.objects.create(collection_many="x", field_many="y").id == len(SYSTEM_RELATIONS) + 1
        assert CollectionPreset.objects.create(collection="x").id == len(SYSTEM_PRESETS) + 1

    response = api.get(f"/{key}/")
    assert response.status_code == 200


@pytest.mark.engines("sqlite")
def test_createproject_defaults_to_sqlite_under_the_data_dir(engine, cleanup):
    key, _ = cleanup.names(engine, "dflt")
    path = Path(settings.DATA_DIR) / "projects" / f"{key}.sqlite3"
    cleanup.urls.append(f"sqlite:///{path}")
    create(key)

    assert path.exists()
    assert Project.objects.get(key=key).database_url == f"sqlite:///{path.resolve()}"
    assert project_tables() <= live_tables(f"sqlite:///{path}")

    call_command("deleteproject", key, "--drop-database", stdout=StringIO())
    for suffix in ("", "-wal", "-shm", "-journal"):
        assert not Path(f"{path}{suffix}").exists()
    assert_nothing_registered(key)


@pytest.mark.engines("mariadb")
def test_createproject_accepts_mariadb_urls_and_uses_utf8mb4(engine, cleanup, api):
    key, url = cleanup.names(engine, "mdb")
    create(key, url.replace("mysql://", "mariadb://", 1))

    assert Project.objects.get(key=key).database_url == url
    name = url.rsplit("/", 1)[1]
    alias_url = f"{SERVER_URLS['mariadb'].rstrip('/')}/information_schema"
    from tests.fixtures.directus8 import connect

    conn = connect(alias_url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT default_character_set_name FROM schemata WHERE schema_name = %s", [name])
            assert cursor.fetchone()[0] == "utf8mb4"
            cursor.execute(
                "SELECT table_name, table_collation FROM tables WHERE table_schema = %s AND table_name LIKE %s",
                [name, "directus%"],
            )
            collations = dict(cursor.fetchall())
    finally:
        conn.close()
    assert collations and all(value.startswith("utf8mb4") for value in collations.values())
    with using_project(get_project(key)):
        Setting.objects.filter(key="project_name").update(value="Émoji 🎉 site")
        config_changed(Setting.objects.db)  # .update() sends no signal
        assert Setting.objects.get(key="project_name").value == "Émoji 🎉 site"


# -- createproject: refusals leave nothing behind ----------------------------------------------


@pytest.mark.parametrize("key", ["server", "interfaces", "layouts", "projects", "Bad", "a b", "_x", "x" * 65, ""])
def test_createproject_refuses_bad_keys(key, control_db):
    count = Project.objects.count()
    with pytest.raises(CommandError):
        create(key)
    assert Project.objects.count() == count
    assert not (Path(settings.DATA_DIR) / "projects" / f"{key}.sqlite3").exists()


@pytest.mark.engines("sqlite")
def test_createproject_refuses_an_existing_key(engine, cleanup):
    key, url = cleanup.names(engine, "dup")
    create(key, url)
    _, other_url = cleanup.names(engine, "dup2")
    with pytest.raises(CommandError, match="already exists"):
        create(key, other_url)
    assert not databases.database_exists(other_url)
    assert Project.objects.get(key=key).database_url == databases.normalise_url(url)


def test_createproject_refuses_a_database_with_directus_tables(engine, cleanup):
    key, url = cleanup.names(engine, "taken")
    databases.create_database(url)
    execute(url, "CREATE TABLE directus_users (id integer PRIMARY KEY, email varchar(128))")

    with pytest.raises(CommandError, match="--existing"):
        create(key, url)
    assert_nothing_registered(key)
    assert databases.database_exists(url)  # it was not ours to drop
    assert live_tables(url) == {"directus_users"}


def test_createproject_existing_refuses_a_database_without_directus_tables(engine, cleanup):
    key, url = cleanup.names(engine, "empty")
    databases.create_database(url)
    execute(url, "CREATE TABLE unrelated (id integer PRIMARY KEY)")

    with pytest.raises(CommandError, match="Not a Directus 8 database"):
        create(key, url, existing=True)
    assert_nothing_registered(key)
    assert live_tables(url) == {"unrelated"}


def test_createproject_existing_refuses_a_missing_database(engine, cleanup):
    key, url = cleanup.names(engine, "none")
    with pytest.raises(CommandError, match="does not exist"):
        create(key, url, existing=True)
    assert_nothing_registered(key)
    assert not databases.database_exists(url)


@pytest.mark.parametrize(
    "url",
    [
        "postgres://postgres@127.0.0.1:1/dxt_unreachable",
        "mysql://root@127.0.0.1:1/dxt_unreachable",
        "mariadb://root@127.0.0.1:1/dxt_unreachable",
    ],
)
@pytest.mark.parametrize("existing", [False, True])
def test_createproject_fails_cleanly_when_the_server_is_unreachable(url, existing, control_db):
    unreachable = r"Cannot connect to the (PostgreSQL|MariaDB/MySQL) server at 127\.0\.0\.1:1"
    with pytest.raises(CommandError, match=unreachable):
        create("unreachable", url, existing=existing)
    assert_nothing_registered("unreachable")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"admin_email": None}, "admin email and password"),
        ({"admin_password": None}, "admin email and password"),
        ({"admin_email": "not-an-email"}, "Invalid admin email"),
    ],
)
@pytest.mark.engines("sqlite")
def test_createproject_needs_a_valid_admin(engine, cleanup, options, message):
    key, url = cleanup.names(engine, "noadm")
    with pytest.raises(CommandError, match=message):
        create(key, url, **options)
    assert_nothing_registered(key)
    assert not databases.database_exists(url)


@pytest.mark.engines("sqlite")
def test_createproject_existing_refuses_admin_options(engine, cleanup):
    key, url = cleanup.names(engine, "exadm")
    with pytest.raises(CommandError, match="--admin-email"):
        create(key, url, existing=True, admin_email=ADMIN_EMAIL)
    assert_nothing_registered(key)


@pytest.mark.parametrize("url", ["oracle://u@db/x", "sqlite://:memory:", "postgres://postgres@127.0.0.1"])
def test_createproject_refuses_unusable_urls(url, control_db):
    with pytest.raises(CommandError):
        create("badurl", url)
    assert_nothing_registered("badurl")


def test_createproject_refuses_a_database_another_project_uses(engine, cleanup):
    key, url = cleanup.names(engine, "first")
    create(key, url)
    other, _ = cleanup.names(engine, "second")
    with pytest.raises(CommandError, match=f"'{key}' already uses this database"):
        create(other, url, existing=True)
    assert_nothing_registered(other)


def test_a_failure_midway_drops_the_database_it_created(engine, cleanup, monkeypatch):
    def broken_seed(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("apps.operations.services.seed_fresh_install", broken_seed)
    key, url = cleanup.names(engine, "midway")
    with pytest.raises(CommandError, match="duplicate key"):
        create(key, url)
    assert_nothing_registered(key)
    assert not databases.database_exists(url)
    assert key not in "".join(connections.settings)  # no connection alias left registered


def test_a_failure_midway_in_an_existing_database_removes_only_what_it_added(engine, cleanup, monkeypatch):
    def broken_seed(*args, **kwargs):
        raise IntegrityError("boom")

    monkeypatch.setattr("apps.operations.services.seed_fresh_install", broken_seed)
    key, url = cleanup.names(engine, "keep")
    databases.create_database(url)
    execute(url, "CREATE TABLE keep_me (id integer PRIMARY KEY)")
    with pytest.raises(CommandError):
        create(key, url)
    assert_nothing_registered(key)
    assert databases.database_exists(url)
    assert live_tables(url) == {"keep_me"}


@pytest.mark.engines("mariadb")
def test_createproject_refuses_a_mariadb_database_without_utf8mb4(engine, cleanup):
    from tests.fixtures.directus8 import connect

    key, url = cleanup.names(engine, "latin")
    name = url.rsplit("/", 1)[1]
    conn = connect(url, database=False)
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET latin1")
    finally:
        conn.close()
    with pytest.raises(CommandError, match="utf8mb4"):
        create(key, url)
    assert_nothing_registered(key)
    assert live_tables(url) == set()


# -- deleteproject ------------------------------------------------------------------------------


def test_deleteproject_keeps_the_database_which_can_be_adopted_again(engine, cleanup):
    key, url = cleanup.names(engine, "keepdb")
    create(key, url)
    tables = live_tables(url)

    out = StringIO()
    call_command("deleteproject", key, stdout=out)
    assert "kept" in out.getvalue()
    assert_nothing_registered(key)
    assert databases.database_exists(url)
    assert live_tables(url) == tables

    # Adopting our own database again changes nothing and keeps its users.
    _, err = create(key, url, existing=True)
    assert err == ""
    assert Project.objects.get(key=key).adopted
    assert live_tables(url) == tables
    with using_project(get_project(key)):
        assert check_password(ADMIN_PASSWORD, User.objects.get(id=1).password)

    call_command("deleteproject", key, "--drop-database", stdout=StringIO())
    assert_nothing_registered(key)
    assert not databases.database_exists(url)


def test_deleteproject_refuses_unknown_keys(control_db):
    with pytest.raises(CommandError, match="Unknown project"):
        call_command("deleteproject", "no-such-project", stdout=StringIO())


# -- migrate_projects ---------------------------------------------------------------------------


def test_migrate_projects_applies_pending_migrations_and_is_idempotent(engine, cleanup):
    key, url = cleanup.names(engine, "mig")
    create(key, url)
    config = get_project(key)

    for _ in range(2):  # nothing pending: a no-op, twice
        out = StringIO()
        call_command("migrate_projects", key, stdout=out)
        assert f"Migrated project '{key}'" in out.getvalue()
    assert project_tables() <= live_tables(url)

    # A pending migration (its table missing and unrecorded) is applied.
    with using_project(config):
        with connections[config.alias].cursor() as cursor:
            cursor.execute("DROP TABLE django_directus_webhook_delivery")
        MigrationRecorder(connections[config.alias]).record_unapplied("webhooks", "0002_delivery_queue")
    assert "django_directus_webhook_delivery" not in live_tables(url)
    call_command("migrate_projects", key, stdout=StringIO())
    assert "django_directus_webhook_delivery" in live_tables(url)
    applied = MigrationRecorder(connections[config.alias]).applied_migrations()
    assert ("webhooks", "0002_delivery_queue") in applied


@pytest.mark.engines("sqlite")
def test_migrate_projects_goes_on_past_a_broken_project(engine, cleanup):
    key, url = cleanup.names(engine, "ok")
    create(key, url)
    broken = f"broken-{key}"
    cleanup.keys.append(broken)
    Project.objects.create(key=broken, database_url="postgres://postgres@127.0.0.1:1/dxt_gone")

    out = StringIO()
    with pytest.raises(CommandError, match=broken):
        call_command("migrate_projects", stdout=out)
    assert f"Migrated project '{key}'" in out.getvalue()
    Project.objects.filter(key=broken).delete()


def test_migrate_projects_refuses_unknown_keys(control_db):
    with pytest.raises(CommandError, match="no-such-project"):
        call_command("migrate_projects", "no-such-project", stdout=StringIO())


@pytest.mark.engines("sqlite")
def test_project_command_runs_a_command_inside_a_project(engine, cleanup):
    key, url = cleanup.names(engine, "inside")
    create(key, url)
    call_command("project", key, "check", "--tag", "models", stdout=StringIO())
    with pytest.raises(CommandError, match="Unknown project"):
        call_command("project", "no-such-project", "check")


@pytest.mark.engines("postgres")
def test_createproject_fails_cleanly_when_the_server_refuses_to_create_the_database(engine, cleanup):
    import psycopg
    from psycopg import sql

    from apps.projects.registry import database_settings

    role = f"dxt_nocreate_{uuid.uuid4().hex[:8]}"
    server = database_settings(f"{SERVER_URLS['postgres'].rstrip('/')}/postgres")
    kwargs = {"dbname": "postgres", "host": server["HOST"], "user": server["USER"] or None, "autocommit": True}
    if server["PORT"]:
        kwargs["port"] = server["PORT"]
    if server["PASSWORD"]:
        kwargs["password"] = server["PASSWORD"]
    with psycopg.connect(**kwargs) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOCREATEDB").format(sql.Identifier(role)))
    try:
        key, url = cleanup.names(engine, "nocreate")
        parts = urlsplit(url)
        url = urlunsplit((parts.scheme, f"{role}@{parts.hostname}:{parts.port or 5432}", parts.path, "", ""))
        with pytest.raises(CommandError, match="refused"):
            create(key, url)
        assert_nothing_registered(key)
        assert not databases.database_exists(url)
    finally:
        with psycopg.connect(**kwargs) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_refresh_project_moves_the_version(project):
    from django.core.management import call_command

    from apps.schema.models import SchemaVersion

    before = SchemaVersion.objects.filter(collection="*").values_list("version", flat=True).first() or 0
    call_command("refresh_project", project.key)
    assert SchemaVersion.objects.get(collection="*").version == before + 1
