import datetime
import time

from django.db.backends.postgresql import base
from psycopg.adapt import Loader

from apps.core.serialization import plain_datetime

from .. import RecentUseHealthCheck, news

TIMESTAMPTZ_OID = 1184

try:  # psycopg's C implementation (psycopg[binary] or psycopg[c])
    from psycopg_binary._psycopg import TimestamptzLoader as _CTimestamptzLoader
except ImportError:  # pragma: no cover - pure-Python psycopg
    _CTimestamptzLoader = None


class UTCTimestamptzLoader(Loader):
    """timestamptz values parsed by psycopg's C loader. Django's own loader parses them in
    Python (it extends psycopg's Python loader to attach the connection's time zone): a third of
    the time of a list of 100 rows with one timestamp each. With the session in UTC, as Django
    sets it, the C loader gives the same instants. `timezone` is what Django's cursor set-up
    compares with its own."""

    timezone = datetime.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._parse = _CTimestamptzLoader(oid, context).load

    def load(self, data):
        return self._parse(data)


class WireTimestamptzLoader(UTCTimestamptzLoader):
    """timestamptz as the API sends a plain datetime, `YYYY-MM-DD HH:MM:SS` in UTC, cut from
    PostgreSQL's own text instead of parsed into a datetime and formatted back (a tenth of the
    time of a list of 100 rows). Text of another form (another DateStyle or session time zone, a
    BC year) is parsed and formatted as usual."""

    def load(self, data):
        text = bytes(data)
        if len(text) >= 22 and text[4:5] == b"-" and text[10:11] == b" " and text.endswith(b"+00"):
            return text[:19].decode()
        return plain_datetime(self._parse(data))


class DatabaseWrapper(RecentUseHealthCheck, base.DatabaseWrapper):
    def load_datetimes_as_wire_text(self, cursor) -> None:
        """This cursor's timestamptz values come as the API's text (WireTimestamptzLoader)."""
        if _CTimestamptzLoader is not None:  # its fallback parses with the C loader
            cursor.cursor.adapters.register_loader(TIMESTAMPTZ_OID, WireTimestamptzLoader)

    def socket_fd(self) -> int | None:
        try:
            return self.connection.fileno()
        except Exception:  # closed or broken: let Django's own check decide
            return None

    def limit_statements(self, seconds: float) -> None:
        if seconds > 0:
            with self.cursor() as cursor:
                milliseconds = str(max(round(seconds * 1000), 1))
                cursor.execute("SELECT set_config('statement_timeout', %s, false)", [milliseconds])

    # The project schema version this connection's prepared statements were made under.
    prepared_under_version = None
    _deallocations = 0

    def prepared_statements_valid_for(self, version: int) -> None:
        """Drop this connection's prepared statements when the project schema has moved since
        they were prepared: a column another worker changed would make them fail ("cached plan
        must not change result type")."""
        if self.prepared_under_version == version:
            return
        if self.prepared_under_version is not None:
            self.forget_prepared_statements()
        self.prepared_under_version = version

    def forget_prepared_statements(self) -> None:
        if self.connection is None or self.connection.closed:
            return
        # psycopg drops its own record of prepared statements when it sees DEALLOCATE ALL, but
        # only for a statement text it has not counted yet: each one gets a text of its own.
        self._deallocations += 1
        with self.cursor() as cursor:
            cursor.execute(f"DEALLOCATE ALL /* {self._deallocations} */")

    _select_cursor = None

    def select_rows(self, sql: str, params) -> list[tuple]:
        """The rows of one read-only statement. Django's cursor path (a cursor and its wrapper,
        the execute wrappers, the error wrapper's set-up) costs about as much of the worker's CPU
        as the statement's round trip: while nothing but the write watcher listens to statements
        (no statement counter, no query log), the statement goes to a psycopg cursor kept with
        the connection, after the same checks, and fails with the same Django errors."""
        if self.queries_logged or len(self.execute_wrappers) != 1 or self.execute_wrappers[0] is not news.watch_writes:
            with self.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        self.close_if_health_check_failed()
        self.ensure_connection()
        self.validate_thread_sharing()
        self.validate_no_broken_transaction()
        with self.wrap_database_errors:
            cursor = self._select_cursor
            if cursor is None or cursor.connection is not self.connection:
                cursor = self._select_cursor = self.create_cursor()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        self._last_used = time.monotonic()
        return rows

    def close(self):
        super().close()
        self._select_cursor = None

    def get_connection_params(self):
        params = super().get_connection_params()
        if _CTimestamptzLoader is not None and self.timezone_name == "UTC" and "context" in params:
            params["context"].register_loader("timestamptz", UTCTimestamptzLoader)
        return params
