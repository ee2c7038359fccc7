"""Creating and dropping the database a project URL names, on each supported engine.

Server-level statements (CREATE/DROP DATABASE) cannot take bound parameters, so database names
are checked against a strict pattern and quoted by the driver's own identifier quoting.

Every failure to reach a server is raised as `DatabaseServerError`, whose message is meant for
the operator (no traceback needed to understand it)."""

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .registry import database_settings

_DB_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,63}$")

# URL schemes we accept, and the one each is stored as.
_SCHEMES = {
    "sqlite": "sqlite",
    "postgres": "postgres",
    "postgresql": "postgres",
    "pgsql": "postgres",
    "mysql": "mysql",
    "mysql2": "mysql",
    "mariadb": "mysql",
}

_ENGINES = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
    "django.db.backends.mysql": "mysql",
    "apps.projects.backends.sqlite3": "sqlite",
    "apps.projects.backends.postgresql": "postgresql",
    "apps.projects.backends.mysql": "mysql",
}

# Server-level databases to connect to for CREATE/DROP DATABASE on PostgreSQL, in order.
_PG_MAINTENANCE_DATABASES = ("postgres", "template1")

# Character set a MariaDB/MySQL project database must default to (4-byte UTF-8).
MYSQL_CHARSET = "utf8mb4"
MYSQL_COLLATION = "utf8mb4_unicode_ci"


class InvalidDatabaseURL(ValueError):
    """The URL cannot name a project database."""


class DatabaseServerError(RuntimeError):
    """The database server could not be reached or refused the statement."""


def normalise_url(url: str) -> str:
    """The canonical form of a project database URL, as it is stored in the registry.

    * `mariadb://`, `mysql2://` become `mysql://`; `postgresql://`, `pgsql://` become `postgres://`.
    * SQLite paths become absolute (a relative path would name a different file in every
      worker started from another directory); `:memory:` is refused (one database per
      connection cannot hold a project).
    * Server URLs must name a database.
    """
    url = (url or "").strip()
    if "://" not in url:
        raise InvalidDatabaseURL(f"Not a database URL: {url!r} (expected e.g. sqlite:///path, postgres://host/name).")
    scheme, rest = url.split("://", 1)
    canonical = _SCHEMES.get(scheme.lower())
    if canonical is None:
        supported = ", ".join(sorted(_SCHEMES))
        raise InvalidDatabaseURL(f"Unsupported database URL scheme {scheme!r}; use one of {supported}.")
    url = f"{canonical}://{rest}"
    config = _parse(url)
    if canonical == "sqlite":
        name = config["NAME"]
        if not name or name == ":memory:":
            raise InvalidDatabaseURL("An in-memory SQLite database cannot hold a project; give a file path.")
        query = urlsplit(url).query
        return "sqlite:///" + str(Path(name).expanduser().resolve()) + (f"?{query}" if query else "")
    _checked_name(config["NAME"])
    return url


def _parse(url: str) -> dict:
    try:
        return database_settings(url)
    except Exception as exc:  # dj_database_url raises several kinds of errors
        raise InvalidDatabaseURL(f"Cannot read the database URL: {exc}") from exc


def engine_of(url: str) -> str:
    """`sqlite`, `postgresql` or `mysql`."""
    engine = _parse(normalise_url(url))["ENGINE"]
    try:
        return _ENGINES[engine]
    except KeyError:
        raise InvalidDatabaseURL(f"Unsupported database engine: {engine}") from None


def display_url(url: str) -> str:
    """The URL with its password masked, for messages and the admin."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    credentials = netloc[0].split(":", 1)[0] + ":***"
    return urlunsplit((parts.scheme, f"{credentials}@{netloc[1]}", parts.path, parts.query, parts.fragment))


def _checked_name(name: str) -> str:
    if not _DB_NAME.match(name or ""):
        raise InvalidDatabaseURL(f"Invalid database name {name!r}: use 1-63 letters, digits, '_' and '-'.")
    return name


def database_exists(url: str) -> bool:
    url = normalise_url(url)
    config = _parse(url)
    engine = engine_of(url)
    if engine == "sqlite":
        return Path(config["NAME"]).exists()
    name = _checked_name(config["NAME"])
    if engine == "postgresql":
        with _pg_server(config) as conn:
            return _run(
                lambda: conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
            )
    with _mysql_server(config) as conn:
        return _mysql_fetch(conn, "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [name]) != ()


def mysql_default_charset(url: str) -> str | None:
    """The default character set of a MariaDB/MySQL database (None when it does not exist)."""
    url = normalise_url(url)
    config = _parse(url)
    name = _checked_name(config["NAME"])
    with _mysql_server(config) as conn:
        rows = _mysql_fetch(
            conn, "SELECT default_character_set_name FROM information_schema.schemata WHERE schema_name = %s", [name]
        )
    return rows[0][0] if rows else None


def create_database(url: str) -> bool:
    """Create the database when it does not exist; True when it was created here.

    MariaDB/MySQL databases are created with utf8mb4 (Directus content is full Unicode, emoji
    included); PostgreSQL databases with UTF8."""
    url = normalise_url(url)
    config = _parse(url)
    engine = engine_of(url)
    if engine == "sqlite":
        path = Path(config["NAME"])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            created = not path.exists()
            path.touch(exist_ok=True)
        except OSError as exc:
            raise DatabaseServerError(f"Cannot create the SQLite file {path}: {exc.strerror or exc}") from exc
        return created
    if database_exists(url):
        return False
    name = _checked_name(config["NAME"])
    if engine == "postgresql":
        from psycopg import sql

        with _pg_server(config) as conn:
            _run(lambda: conn.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(name))))
    else:
        with _mysql_server(config) as conn:
            _mysql_fetch(conn, f"CREATE DATABASE `{name}` CHARACTER SET {MYSQL_CHARSET} COLLATE {MYSQL_COLLATION}")
    return True


def drop_database(url: str) -> None:
    """Drop the database (for SQLite: the file and its WAL/SHM/journal and news companions)."""
    url = normalise_url(url)
    config = _parse(url)
    engine = engine_of(url)
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal", "-news"):
            Path(config["NAME"] + suffix).unlink(missing_ok=True)
        return
    name = _checked_name(config["NAME"])
    if engine == "postgresql":
        from psycopg import sql

        with _pg_server(config) as conn:
            _run(lambda: conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))))
    else:
        with _mysql_server(config) as conn:
            _mysql_fetch(conn, f"DROP DATABASE IF EXISTS `{name}`")


def _where(config: dict) -> str:
    host = config.get("HOST") or "localhost"
    return f"{host}:{config['PORT']}" if config.get("PORT") else host


def _run(statement):
    try:
        return statement()
    except Exception as exc:
        raise DatabaseServerError(f"The database server refused: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def _pg_server(config: dict):
    import psycopg

    last_error = None
    for database in _PG_MAINTENANCE_DATABASES:
        try:
            return psycopg.connect(
                dbname=database,
                host=config.get("HOST") or None,
                port=config.get("PORT") or None,
                user=config.get("USER") or None,
                password=config.get("PASSWORD") or None,
                autocommit=True,
                connect_timeout=10,
            )
        except psycopg.OperationalError as exc:
            last_error = exc
            if "does not exist" not in str(exc):
                break
    raise DatabaseServerError(
        f"Cannot connect to the PostgreSQL server at {_where(config)}: {_first_line(last_error)}"
    ) from last_error


def _mysql_server(config: dict):
    import MySQLdb

    kwargs = {"user": config.get("USER") or "root", "charset": MYSQL_CHARSET, "connect_timeout": 10}
    host = config.get("HOST") or "127.0.0.1"
    if host.startswith("/"):
        kwargs["unix_socket"] = host
    else:
        kwargs["host"] = host
    if config.get("PORT"):
        kwargs["port"] = int(config["PORT"])
    if config.get("PASSWORD"):
        kwargs["password"] = config["PASSWORD"]
    try:
        return MySQLdb.connect(**kwargs)
    except MySQLdb.Error as exc:
        raise DatabaseServerError(
            f"Cannot connect to the MariaDB/MySQL server at {_where(config)}: {_first_line(exc)}"
        ) from exc


def _mysql_fetch(conn, statement: str, params=None):
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()
    except Exception as exc:
        raise DatabaseServerError(f"The database server refused: {_first_line(exc)}") from exc
