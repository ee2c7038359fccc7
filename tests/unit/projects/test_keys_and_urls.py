"""Project keys in URLs and in the registry, and database URL handling (no database needed)."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from apps.projects import databases
from apps.projects.middleware import project_key_from_path
from apps.projects.models import RESERVED_KEYS, validate_project_key


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/_/items/articles", "_"),
        ("/_/", "_"),
        ("/_", "_"),
        ("/thumper/users/me", "thumper"),
        ("/thumper", "thumper"),
        ("thumper/auth/authenticate", "thumper"),
        ("/my-site_2/", "my-site_2"),
        ("/", None),
        ("", None),
        ("/server/ping", None),
        ("/server/projects", None),
        ("/interfaces", None),
        ("/layouts", None),
        ("/modules", None),
        ("/types", None),
        ("/projects", None),
        ("/_admin/", None),
        ("/_admin/projects/project/", None),
        ("/_static/admin/css/base.css", None),
    ],
)
def test_project_key_from_path(path, key):
    assert project_key_from_path(path) == key


@pytest.mark.parametrize("key", ["_", "thumper", "thumper-staging", "a", "site_2", "0", "x" * 64])
def test_valid_project_keys(key):
    validate_project_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "Thumper",  # upper case
        "my site",
        "a/b",
        "a.b",
        "é",
        "x" * 65,
        "_admin",  # our own routes
        "_private",
        "__",
        *sorted(RESERVED_KEYS),
    ],
)
def test_invalid_project_keys(key):
    with pytest.raises(ValidationError):
        validate_project_key(key)


@pytest.mark.parametrize("key", ["server", "interfaces", "modules", "layouts", "types", "projects"])
def test_global_route_names_are_reserved(key):
    assert key in RESERVED_KEYS
    assert project_key_from_path(f"/{key}/x") is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("mariadb://root@127.0.0.1:3306/site", "mysql://root@127.0.0.1:3306/site"),
        ("MariaDB://root@db/site", "mysql://root@db/site"),
        ("mysql2://u:p@db/site", "mysql://u:p@db/site"),
        ("mysql://root@db/site", "mysql://root@db/site"),
        ("postgresql://postgres@db:5432/site", "postgres://postgres@db:5432/site"),
        ("pgsql://postgres@db/site", "postgres://postgres@db/site"),
        ("postgres://postgres@db/site", "postgres://postgres@db/site"),
        ("sqlite:////tmp/x/site.sqlite3", "sqlite:////tmp/x/site.sqlite3"),
    ],
)
def test_normalise_url(given, stored):
    assert databases.normalise_url(given) == stored


def test_relative_sqlite_paths_become_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = databases.normalise_url("sqlite:///data/site.sqlite3")
    assert url == f"sqlite:///{tmp_path.resolve() / 'data' / 'site.sqlite3'}"
    assert Path(url.removeprefix("sqlite:///")).is_absolute()


@pytest.mark.parametrize(
    "url",
    [
        "",
        "site.sqlite3",
        "sqlite://:memory:",
        "sqlite://",
        "oracle://u@db/site",
        "redis://localhost/0",
        "postgres://postgres@db",  # no database name
        "mysql://root@db/",
        "mysql://root@db/bad;name",
        "postgres://postgres@db/" + "x" * 64,
    ],
)
def test_unusable_urls_are_refused(url):
    with pytest.raises(databases.InvalidDatabaseURL):
        databases.normalise_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////tmp/a.sqlite3", "sqlite"),
        ("postgres://h/a", "postgresql"),
        ("mariadb://h/a", "mysql"),
        ("mysql://h/a", "mysql"),
    ],
)
def test_engine_of(url, expected):
    assert databases.engine_of(url) == expected


def test_display_url_masks_the_password():
    assert databases.display_url("postgres://app:s3cr3t@db:5432/site") == "postgres://app:***@db:5432/site"
    assert databases.display_url("mysql://root@db/site") == "mysql://root@db/site"
    assert databases.display_url("sqlite:////tmp/a.sqlite3") == "sqlite:////tmp/a.sqlite3"


def test_project_database_settings_per_engine(settings):
    from apps.projects.registry import database_settings

    postgres = database_settings("postgres://user@db.example/site")
    assert postgres["ENGINE"] == "apps.projects.backends.postgresql"
    assert postgres["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    assert postgres["CONN_HEALTH_CHECKS"] is True
    assert database_settings("mysql://root@db.example/site")["ENGINE"] == "apps.projects.backends.mysql"
    assert database_settings("sqlite:////tmp/site.sqlite3")["ENGINE"] == "apps.projects.backends.sqlite3"

    settings.DIRECTUS = {**settings.DIRECTUS, "DB_PREPARED_STATEMENTS": False}
    assert database_settings("postgres://user@db.example/site")["OPTIONS"] == {}
