"""The engine matrix: SQLite always; PostgreSQL and MariaDB when their servers answer.

Server URLs come from DIRECTUS_TEST_POSTGRES_URL and DIRECTUS_TEST_MARIADB_URL (defaults: the
local servers). Locally a missing server skips its engine with one clear line; with CI=true it
fails the run."""

import functools
import os

ENGINES = ("sqlite", "postgres", "mariadb")

SERVER_URLS = {
    "postgres": os.environ.get("DIRECTUS_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
    "mariadb": os.environ.get("DIRECTUS_TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306"),
}


def database_url(engine: str, name: str, data_dir) -> str:
    if engine == "sqlite":
        return f"sqlite:///{data_dir}/projects/{name}.sqlite3"
    return f"{SERVER_URLS[engine].rstrip('/')}/{name}"


@functools.cache
def unavailable_reason(engine: str) -> str | None:
    """None when the engine can be tested here, else why not."""
    if engine == "sqlite":
        return None
    url = SERVER_URLS[engine]
    try:
        if engine == "postgres":
            import psycopg

            from apps.projects.registry import database_settings

            config = database_settings(url.rstrip("/") + "/postgres")
            psycopg.connect(
                dbname="postgres",
                host=config["HOST"],
                port=config["PORT"] or None,
                user=config["USER"] or None,
                password=config["PASSWORD"] or None,
                connect_timeout=3,
            ).close()
        else:
            import MySQLdb

            from apps.projects.registry import database_settings

            config = database_settings(url.rstrip("/") + "/mysql")
            MySQLdb.connect(
                host=config["HOST"] or "127.0.0.1",
                port=int(config["PORT"] or 3306),
                user=config["USER"] or "root",
                password=config["PASSWORD"] or "",
                connect_timeout=3,
            ).close()
    except Exception as exc:  # any failure means "not here"
        return f"{engine} not reachable at {url} ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
    return None
