"""Creating and dropping the database a project URL names, on each supported engine.

Server-level statements (CREATE/DROP DATABASE) cannot take bound parameters, so database names
are checked against a strict pattern and quoted by the driver's own identifier quoting."""

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

from .registry import database_settings

_DB_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,63}$")


def normalise_url(url: str) -> str:
    scheme, rest = url.split("://", 1) if "://" in url else ("", url)
    if scheme == "mariadb":
        return "mysql://" + rest
    return url


def engine_of(url: str) -> str:
    engine = database_settings(normalise_url(url))["ENGINE"]
    for name in ("sqlite", "postgresql", "mysql"):
        if name in engine:
            return name
    raise ImproperlyConfigured(f"Unsupported database engine: {engine}")


def _checked_name(name: str) -> str:
    if not _DB_NAME.match(name or ""):
        raise ImproperlyConfigured(f"Invalid database name {name!r}: use letters, digits, '_' and '-'.")
    return name


def _server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_exists(url: str) -> bool:
    url = normalise_url(url)
    config = database_settings(url)
    engine = engine_of(url)
    if engine == "sqlite":
        return Path(config["NAME"]).exists()
    name = _checked_name(config["NAME"])
    if engine == "postgresql":
        with _pg_server(url) as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
    with _mysql_server(config) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name])
        return cursor.fetchone() is not None


def create_database(url: str) -> bool:
    """Create the database when it does not exist; True when it was created here."""
    url = normalise_url(url)
    config = database_settings(url)
    engine = engine_of(url)
    if engine == "sqlite":
        path = Path(config["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        path.touch(exist_ok=True)
        return created
    if database_exists(url):
        return False
    name = _checked_name(config["NAME"])
    if engine == "postgresql":
        from psycopg import sql

        with _pg_server(url) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(name)))
    else:
        with _mysql_server(config) as conn, conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    return True


def drop_database(url: str) -> None:
    url = normalise_url(url)
    config = database_settings(url)
    engine = engine_of(url)
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(config["NAME"] + suffix).unlink(missing_ok=True)
        return
    name = _checked_name(config["NAME"])
    if engine == "postgresql":
        from psycopg import sql

        with _pg_server(url) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    else:
        with _mysql_server(config) as conn, conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


def _pg_server(url: str):
    import psycopg

    config = database_settings(url)
    return psycopg.connect(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        autocommit=True,
        connect_timeout=10,
    )


def _mysql_server(config: dict):
    import MySQLdb

    kwargs = {"host": config.get("HOST") or "127.0.0.1", "user": config.get("USER") or "root"}
    if config.get("PORT"):
        kwargs["port"] = int(config["PORT"])
    if config.get("PASSWORD"):
        kwargs["password"] = config["PASSWORD"]
    return MySQLdb.connect(charset="utf8mb4", connect_timeout=10, **kwargs)
