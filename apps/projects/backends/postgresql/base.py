import datetime

from django.db.backends.postgresql import base
from psycopg.adapt import Loader

from .. import RecentUseHealthCheck

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


class DatabaseWrapper(RecentUseHealthCheck, base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if _CTimestamptzLoader is not None and self.timezone_name == "UTC" and "context" in params:
            params["context"].register_loader("timestamptz", UTCTimestamptzLoader)
        return params
