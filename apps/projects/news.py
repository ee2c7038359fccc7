"""News of changes to who may do what, from the worker that made one to every other worker.

Workers keep what decides access between requests (a credential's user row and session, the
schema version that keys the cached settings, roles and permission rows) for as long as no news
has come. Every write to the tables those answers are read from is news, whatever code makes it:
each project connection watches its own statements (`watch_writes`, an execute wrapper), so the
item writer, the ORM and a compiled statement alike announce what they change. The worker that
writes counts the news at once (at the write and again at its commit); other workers learn of it
through the project's channel, checked without a round trip at the start of each request:

* PostgreSQL: `LISTEN`/`NOTIFY` on the project database. The notice is sent inside the writing
  transaction, so the database delivers it exactly when the change commits, and never for a
  change rolled back. A listening connection per project and worker, looked at with `select()`.
* Redis, when `DIRECTUS_REDIS_URL` is set (MariaDB and SQLite projects): pub/sub, published after
  the commit.
* SQLite without Redis: a counter in a file beside the database, mapped into every worker of the
  host, increased after the commit.

`generation(alias)` is a number that moves with every piece of news, or None when the project has
no channel or its channel is down: callers then read per request, as without a cache. A channel
that comes back counts as news (what was announced meanwhile is lost). Written here rather than
taken from a library because the notices must be sent from inside the project's own transaction
on three engines and read without blocking a request; psycopg and redis-py do the talking.

Changes made outside the API (SQL typed into a console) are not news until an operator runs
`manage.py refresh_project`."""

import contextlib
import fcntl
import logging
import mmap
import os
import select
import struct
import threading
import time

from django.db import connections

from apps.core.rerun import statement_verb
from directus.conf import directus_settings

logger = logging.getLogger("directus.news")

CHANNEL = "directus_news"

# Tables whose writes are news, and which writes: a new session or a new user cannot make a
# kept answer wrong, an ended or changed one can.
_ANY_WRITE = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "WITH"})
_CHANGES = frozenset({"UPDATE", "DELETE", "REPLACE", "WITH"})
WATCHED = {
    "directus_users": _CHANGES,
    "directus_user_sessions": _CHANGES,
    "django_directus_credential_cutoff": _ANY_WRITE,
    "django_directus_schema": _ANY_WRITE,
}
# Seconds between attempts to bring a broken channel back.
RECONNECT_SECONDS = 2.0


class Channel:
    """How the workers of one project tell each other of news."""

    def poll(self) -> int | None:
        """Notices received since the last poll (0 for none); None when the channel is down."""
        raise NotImplementedError

    def announce_in_transaction(self, connection) -> bool:
        """Send the notice as part of the connection's transaction; False when only `announce`
        (after the commit) can."""
        return False

    def announce(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class PostgresChannel(Channel):
    def __init__(self, settings_dict: dict):
        self.settings_dict = settings_dict
        self._connection = None

    def _connect(self):
        import psycopg

        settings = self.settings_dict
        options = settings.get("OPTIONS") or {}
        params = {
            "dbname": settings.get("NAME"),
            "user": settings.get("USER") or None,
            "password": settings.get("PASSWORD") or None,
            "host": settings.get("HOST") or None,
            "port": settings.get("PORT") or None,
            "connect_timeout": 2,
            "application_name": "directus-news",
        }
        params.update({key: value for key, value in options.items() if key.startswith("ssl") or key == "passfile"})
        connection = psycopg.connect(autocommit=True, **{key: value for key, value in params.items() if value})
        connection.execute(f"LISTEN {CHANNEL}")
        return connection

    def poll(self) -> int | None:
        import psycopg

        try:
            if self._connection is None:
                self._connection = self._connect()
                return 1  # what was announced before it listened is unknown
            pgconn = self._connection.pgconn
            received = 0
            # Read until nothing is waiting: a server that ends the connection sends its reason
            # first and the end of file after it, which only the next read reports (an error).
            while select.select([pgconn.socket], [], [], 0)[0]:
                pgconn.consume_input()
                while pgconn.notifies() is not None:
                    received += 1
                if pgconn.status != psycopg.pq.ConnStatus.OK:
                    raise psycopg.OperationalError("the listening connection was closed")
            return received
        except (psycopg.Error, OSError, ValueError) as exc:
            self.close()
            logger.warning("News channel of %s is down: %s", self.settings_dict.get("NAME"), exc)
            return None

    def announce_in_transaction(self, connection) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])
        return True

    def announce(self) -> None:
        pass  # always sent in the transaction

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # already broken
                connection.close()


class RedisChannel(Channel):
    def __init__(self, url: str, name: str):
        self.url = url
        self.name = name
        self._client = None
        self._pubsub = None

    def _redis(self):
        import redis

        if self._client is None:
            timeout = float(directus_settings.REDIS_TIMEOUT)
            self._client = redis.Redis.from_url(self.url, socket_timeout=timeout, socket_connect_timeout=timeout)
        return self._client

    def poll(self) -> int | None:
        import redis

        try:
            if self._pubsub is None:
                self._pubsub = self._redis().pubsub()
                self._pubsub.subscribe(self.name)
                return 1
            received = 0
            while (message := self._pubsub.get_message(timeout=0)) is not None:
                received += message.get("type") == "message"
            return received
        except (redis.RedisError, OSError) as exc:
            self.close()
            logger.warning("News channel %s is down: %s", self.name, exc)
            return None

    def announce(self) -> None:
        import redis

        try:
            self._redis().publish(self.name, "")
        except (redis.RedisError, OSError) as exc:
            # Workers that miss it still read again once their kept answers reach their age.
            logger.error("Could not announce a change on %s: %s", self.name, exc)

    def close(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):  # already broken
                pubsub.close()


class FileChannel(Channel):
    """A counter every worker of the host maps into memory: reading it is no system call."""

    _FORMAT = struct.Struct("<Q")

    def __init__(self, path: str):
        self.path = path
        self._map = None
        self._inode = None
        self._seen = None

    def _open(self):
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < self._FORMAT.size:
                os.ftruncate(fd, self._FORMAT.size)
            self._map = mmap.mmap(fd, self._FORMAT.size, mmap.MAP_SHARED, mmap.PROT_READ)
            self._inode = os.fstat(fd).st_ino
        finally:
            os.close(fd)

    def poll(self) -> int | None:
        try:
            if self._map is None or os.stat(self.path).st_ino != self._inode:
                self.close()
                self._open()
                self._seen = self._FORMAT.unpack_from(self._map)[0]
                return 1
            value = self._FORMAT.unpack_from(self._map)[0]
            if value == self._seen:
                return 0
            self._seen = value
            return 1
        except (OSError, ValueError) as exc:
            self.close()
            logger.warning("News file %s cannot be read: %s", self.path, exc)
            return None

    def announce(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            logger.error("Could not announce a change in %s: %s", self.path, exc)
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            current = os.pread(fd, self._FORMAT.size, 0)
            value = self._FORMAT.unpack(current)[0] if len(current) == self._FORMAT.size else 0
            os.pwrite(fd, self._FORMAT.pack(value + 1), 0)
        finally:
            os.close(fd)  # closing releases the lock

    def close(self) -> None:
        mapped, self._map = self._map, None
        if mapped is not None:
            mapped.close()


def channel_for(connection) -> Channel | None:
    """The channel of a project database's workers, or None when it has none."""
    if str(directus_settings.NEWS).lower() == "off":
        return None
    if connection.vendor == "postgresql":
        return PostgresChannel(connection.settings_dict)
    redis_url = directus_settings.REDIS_URL
    if redis_url:
        return RedisChannel(redis_url, f"{CHANNEL}:{connection.settings_dict.get('NAME')}")
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and name and ":memory:" not in name and not name.startswith("file:"):
        return FileChannel(f"{name}-news")
    return None


class ProjectNews:
    """What one worker process has heard of one project database."""

    def __init__(self, alias: str):
        self.alias = alias
        self.database = connections[alias].settings_dict.get("NAME")
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._generation = 0
        self._channel: Channel | None = None
        self._channel_known = False
        self._down_since: float | None = None

    def current(self) -> bool:
        """Still this process's (a forked worker listens for itself) and the alias's database."""
        return self.pid == os.getpid() and connections[self.alias].settings_dict.get("NAME") == self.database

    def _known_channel(self) -> Channel | None:
        # Called with the lock held.
        if not self._channel_known:
            self._channel = channel_for(connections[self.alias])
            self._channel_known = True
        return self._channel

    def generation(self) -> int | None:
        with self._lock:
            if self._known_channel() is None:
                return None
            if self._down_since is not None and time.monotonic() - self._down_since < RECONNECT_SECONDS:
                return None
            received = self._channel.poll()
            if received is None:
                self._down_since = time.monotonic()
                return None
            self._down_since = None
            self._generation += received
            return self._generation

    def heard_here(self) -> None:
        with self._lock:
            self._generation += 1

    def channel(self) -> Channel | None:
        with self._lock:
            return self._known_channel()

    def close(self) -> None:
        with self._lock:
            if self._channel is not None:
                self._channel.close()
            self._channel = None
            self._channel_known = False


_news: dict[str, ProjectNews] = {}
_news_lock = threading.Lock()


def news_of(alias: str) -> ProjectNews:
    news = _news.get(alias)
    if news is None or not news.current():
        with _news_lock:
            news = _news.get(alias)
            if news is None or not news.current():
                if news is not None:
                    news.close()
                news = _news[alias] = ProjectNews(alias)
    return news


def generation(alias: str) -> int | None:
    """A number that moves with every change announced for this project database since this
    worker began to listen; None when changes cannot be heard (then read per request)."""
    return news_of(alias).generation()


def forget(alias: str) -> None:
    """Stop listening for a project database (it was deleted or its settings changed)."""
    with _news_lock:
        news = _news.pop(alias, None)
    if news is not None:
        news.close()


def announce(connection) -> None:
    """Tell every worker that something they keep for this project database changed: now for
    this worker, at the commit (or now, outside a transaction) for the others."""
    news = news_of(connection.alias)
    news.heard_here()
    channel = news.channel()
    if not connection.in_atomic_block:
        if channel is not None and not channel.announce_in_transaction(connection):
            channel.announce()
        return
    # What this worker read of its own uncommitted writes must go if they are rolled back.
    connection.news_to_undo = True
    if _announced_in_this_transaction(connection):
        return
    sent = channel is not None and channel.announce_in_transaction(connection)

    def after_commit():
        news.heard_here()  # a read between the write and the commit may have kept the old rows
        if channel is not None and not sent:
            channel.announce()

    after_commit.directus_news = True
    connection.on_commit(after_commit)


def rolled_back(connection, *, savepoint: bool = False) -> None:
    """A transaction (or savepoint) of this connection was rolled back: if it wrote news, what
    this worker read inside it (its own uncommitted rows) is news as well."""
    if getattr(connection, "news_to_undo", False):
        connection.news_to_undo = savepoint  # the transaction's earlier writes may still go
        news_of(connection.alias).heard_here()


def _announced_in_this_transaction(connection) -> bool:
    # Django keeps the transaction's commit callbacks (dropped with a rollback, also of the
    # savepoint they were registered in, as PostgreSQL drops the notice): one notice a transaction.
    return any(getattr(entry[1], "directus_news", False) for entry in connection.run_on_commit)


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper of every project connection: a write to a watched table is news."""
    result = execute(sql, params, many, context)
    verb = statement_verb(sql)
    if verb in _ANY_WRITE:
        for table, verbs in WATCHED.items():
            if verb in verbs and table in sql:
                announce(context["connection"])
                break
    return result
