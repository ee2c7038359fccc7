"""Deviation 17: every statement on a project database has a time limit. A statement over it is
stopped by the database itself (PostgreSQL `statement_timeout`, MariaDB `max_statement_time`, a
progress handler on SQLite); the request answers `503` code `0` with `Retry-After`, nothing of it
is written, and the same connection serves the next request.

The slow statement is genuinely slow: an INSERT whose trigger sleeps (PostgreSQL, MariaDB) or
counts through a long recursive CTE (SQLite)."""

import pytest
from django.db import connections

from apps.projects.databases import normalise_url
from apps.projects.registry import database_settings
from tests.helpers import error_of

LIMIT_SECONDS = 0.5
ID = {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True}
TITLE = {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 40}

SLOW_TRIGGER = {
    "postgresql": [
        "CREATE FUNCTION slow_rows_wait() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$"
        " LANGUAGE plpgsql",
        "CREATE TRIGGER slow_rows_wait BEFORE INSERT ON slow_rows FOR EACH ROW EXECUTE FUNCTION slow_rows_wait()",
    ],
    "mysql": ["CREATE TRIGGER slow_rows_wait BEFORE INSERT ON slow_rows FOR EACH ROW SET @waited = SLEEP(5)"],
    "sqlite": [
        "CREATE TRIGGER slow_rows_wait BEFORE INSERT ON slow_rows BEGIN SELECT count(*) FROM (WITH RECURSIVE"
        " n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000000) SELECT x FROM n); END"
    ],
}
DROP_TRIGGER = {
    "postgresql": ["DROP TRIGGER IF EXISTS slow_rows_wait ON slow_rows", "DROP FUNCTION IF EXISTS slow_rows_wait()"],
    "mysql": ["DROP TRIGGER IF EXISTS slow_rows_wait"],
    "sqlite": ["DROP TRIGGER IF EXISTS slow_rows_wait"],
}


def run(alias: str, statements: list[str]) -> None:
    with connections[alias].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def test_a_statement_over_the_limit_answers_503_and_writes_nothing(
    schema_admin_api, schema_url, schema_project, settings
):
    api, url, alias = schema_admin_api, schema_url, schema_project.alias
    response = api.post(url("collections"), {"collection": "slow_rows", "fields": [ID, TITLE]}, format="json")
    assert response.status_code == 200, response.content
    vendor = connections[alias].vendor
    run(alias, SLOW_TRIGGER[vendor])
    # Connections opened from now on get the tiny limit: this thread's is opened again.
    settings.DIRECTUS = {**settings.DIRECTUS, "STATEMENT_TIMEOUT": LIMIT_SECONDS}
    connections[alias].close()
    try:
        assert api.get(url("items/slow_rows")).status_code == 200

        response = api.post(url("items/slow_rows"), {"title": "never"}, format="json")
        assert error_of(response) == (503, 0), response.content
        assert int(response["Retry-After"]) > 0

        # Nothing written, and the same connection answers the next request.
        run(alias, DROP_TRIGGER[vendor])
        response = api.post(url("items/slow_rows"), {"title": "stored"}, format="json")
        assert response.status_code == 200, response.content
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT title FROM slow_rows")
            assert [row[0] for row in cursor.fetchall()] == ["stored"]
    finally:
        run(alias, DROP_TRIGGER[vendor])
        connections[alias].close()  # later tests get the default limit


def test_a_project_url_may_set_its_own_limit():
    assert database_settings("postgres://u@db/shop?statement_timeout=2.5")["STATEMENT_TIMEOUT"] == 2.5
    config = database_settings("sqlite:////tmp/shop.sqlite3?statement_timeout=0")
    assert config["STATEMENT_TIMEOUT"] == 0 and "statement_timeout" not in config["OPTIONS"]
    assert "STATEMENT_TIMEOUT" not in database_settings("mysql://root@db/shop")
    assert normalise_url("sqlite:////tmp/shop.sqlite3?statement_timeout=3").endswith("shop.sqlite3?statement_timeout=3")
    with pytest.raises(ValueError):
        database_settings("postgres://u@db/shop?statement_timeout=soon")
