"""The project registry as each worker sees it: project rows from the control database, cached
for a few seconds, and their database connections registered lazily under `project_<key>`."""

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property

import dj_database_url
from django.db import connections

from directus.conf import directus_settings

ALIAS_PREFIX = "project_"

_lock = threading.Lock()
_cache: dict[str, tuple[float, "ProjectConfig | None"]] = {}


@dataclass(frozen=True)
class ProjectConfig:
    key: str
    database_url: str
    secret_key: str
    public_key: str
    storage: dict = field(default_factory=dict, compare=False)
    private: bool = False
    adopted: bool = False
    # When the registry row was made: a project deleted and imported again under its key with
    # its old secret and database URL is still another instance.
    created: str = field(default="", compare=False)

    @property
    def alias(self) -> str:
        return ALIAS_PREFIX + self.key

    @cached_property
    def instance(self) -> str:
        """Tells this project apart from an earlier one with the same key: a project deleted and
        created again has a new registry row and secret (and often a new database at the same URL). What a
        worker keeps per project — connections, schema, permission rows, compiled statements —
        belongs to one instance."""
        return hashlib.sha256(f"{self.database_url}\0{self.secret_key}\0{self.created}".encode()).hexdigest()[:32]

    @classmethod
    def from_model(cls, project) -> "ProjectConfig":
        return cls(
            key=project.key,
            database_url=project.database_url,
            secret_key=project.secret_key,
            public_key=project.public_key,
            storage=dict(project.storage or {}),
            private=project.private,
            adopted=project.adopted,
            created=project.created_on.isoformat() if project.created_on else "",
        )


def is_project_alias(alias: str) -> bool:
    return alias.startswith(ALIAS_PREFIX)


def get_project(key: str) -> ProjectConfig | None:
    """The project with this key, or None. Cached per process for PROJECT_CACHE_SECONDS."""
    now = time.monotonic()
    cached = _cache.get(key)
    if cached and cached[0] > now:
        config = cached[1]
    else:
        from .models import Project

        row = Project.objects.using("default").filter(key=key).first()
        config = ProjectConfig.from_model(row) if row else None
        _cache[key] = (now + directus_settings.PROJECT_CACHE_SECONDS, config)
    if config:
        ensure_connection(config)
    return config


def forget_project(key: str | None = None) -> None:
    """Drop cached registry entries (all of them when key is None)."""
    if key is None:
        _cache.clear()
    else:
        _cache.pop(key, None)


# Django's backends with a statement time limit and a health check that skips connections used a
# moment ago (see backends/).
_BACKENDS = {
    "django.db.backends.sqlite3": "apps.projects.backends.sqlite3",
    "django.db.backends.postgresql": "apps.projects.backends.postgresql",
    "django.db.backends.mysql": "apps.projects.backends.mysql",
}


def database_settings(url: str) -> dict:
    """Django DATABASES entry for a project URL, with the options each engine needs."""
    # Persistent connections: opening one per request costs more than most requests.
    config = dj_database_url.parse(url, conn_max_age=directus_settings.DB_CONN_MAX_AGE, conn_health_checks=True)
    engine = config["ENGINE"]
    if engine in _BACKENDS:
        config["ENGINE"] = _BACKENDS[engine]
    options = config.setdefault("OPTIONS", {})
    # `?statement_timeout=<seconds>` on a project URL: this project's own statement time limit.
    if "statement_timeout" in options:
        config["STATEMENT_TIMEOUT"] = _seconds(options.pop("statement_timeout"))
    if engine.endswith("sqlite3"):
        # WAL lets readers in other workers proceed during a write; IMMEDIATE avoids lock upgrades.
        # Project tables carry no foreign keys (as in Directus 8); with checks off, the schema editor
        # can run inside a transaction, which makes SQLite DDL all-or-nothing.
        options.setdefault(
            "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;"
        )
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 20)
    elif engine.endswith("postgresql") and directus_settings.DB_PREPARED_STATEMENTS:
        # Parameters bound by the server, and statements a connection runs again and again
        # prepared once (after psycopg's default of five runs): parse and plan are skipped.
        # Off behind a pooler that cannot keep prepared statements (PgBouncer before 1.21).
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 5)
    elif engine.endswith("mysql"):
        options.setdefault("charset", "utf8mb4")
        options.setdefault("init_command", "SET sql_mode='STRICT_TRANS_TABLES'")
        options.setdefault("isolation_level", "read committed")
    return config


def _seconds(value) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds >= 0:
        raise ValueError(f"statement_timeout must be a number of seconds (0 for none), not {value!r}")
    return seconds


_INSTANCE = "_DIRECTUS_INSTANCE"


def ensure_connection(project: ProjectConfig) -> str:
    """Register the project's database alias once per process (again for another instance of
    the project: a new URL, or the project deleted and created again), and make sure this
    thread's connection is one to that instance's database."""
    alias = project.alias
    registered = connections.settings.get(alias)
    if registered is None or registered.get(_INSTANCE) != project.instance:
        with _lock:
            registered = connections.settings.get(alias)
            if registered is None or registered.get(_INSTANCE) != project.instance:
                settings_dict = database_settings(project.database_url)
                settings_dict[_INSTANCE] = project.instance
                # Fill Django's defaults (AUTOCOMMIT, TIME_ZONE, TEST...) the way it does at start-up.
                filled = connections.configure_settings({"default": {}, alias: settings_dict})[alias]
                connections.settings[alias] = filled
    # Each thread has its own connection, made from the settings of its time: one of an earlier
    # instance may reach the old database (a re-created SQLite project: the deleted file, still
    # open), so it is closed. Getting the wrapper opens nothing.
    connection = connections[alias]
    if connection.settings_dict.get(_INSTANCE) != project.instance:
        connection.close()
        with contextlib.suppress(AttributeError):
            del connections[alias]
    return alias


def drop_connection(alias: str) -> None:
    if alias in connections.settings:
        try:
            connections[alias].close()
            del connections[alias]
        except AttributeError:
            pass
        finally:
            connections.settings.pop(alias, None)
