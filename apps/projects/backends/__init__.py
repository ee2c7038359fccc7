"""Database backends of project databases: Django's own, with a cheaper connection health check,
a time limit on every statement, and a count of the commits each connection made.

Django checks a persistent connection at the start of every request that uses it (`SELECT 1` on
PostgreSQL, a ping on MariaDB): one round trip per request, as much as a read by id costs. A
connection that ran a statement less than `DB_HEALTH_CHECK_IDLE_SECONDS` ago is checked without
one: an idle connection has nothing to read, so a socket with data or an end of file waiting
means the server has gone away (a restart, an idle timeout, a terminated backend) and the
connection is replaced before use. One idle for longer is checked as Django does.

Every statement of a project connection runs under a time limit (deviation 17): the project URL's
`statement_timeout` option, else `STATEMENT_TIMEOUT` (seconds; 0 for none), set when the
connection opens. Each engine enforces it itself: PostgreSQL `statement_timeout`, MariaDB
`max_statement_time`, SQLite a progress handler. A statement over it fails and its transaction
is rolled back; the error handler answers `503` code `0` with `Retry-After`.

Every statement is watched for writes that other workers must hear of (apps.projects.news)."""

import select
import time

from directus.conf import directus_settings

from .. import news


def statement_limit(settings_dict: dict) -> float:
    """Seconds a statement of this connection may run (0: no limit)."""
    limit = settings_dict.get("STATEMENT_TIMEOUT")
    return float(directus_settings.STATEMENT_TIMEOUT if limit is None else limit)


class ProjectConnection:
    """What every project backend adds to Django's (put before Django's wrapper in the bases)."""

    # Commits made by this connection: a request tells by it whether a write of its own has
    # become permanent (apps.core.rerun).
    commits = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(news.watch_writes)

    def commit(self):
        super().commit()
        self.commits += 1
        self.news_to_undo = False

    def rollback(self):
        super().rollback()
        news.rolled_back(self)

    def savepoint_rollback(self, sid):
        super().savepoint_rollback(sid)
        news.rolled_back(self, savepoint=True)

    def init_connection_state(self):
        super().init_connection_state()
        self.limit_statements(statement_limit(self.settings_dict))

    def limit_statements(self, seconds: float) -> None:
        raise NotImplementedError


class RecentUseHealthCheck(ProjectConnection):
    _last_used = float("-inf")

    def socket_fd(self) -> int | None:
        """The connection's socket, or None when it cannot be watched (then Django's check)."""
        return None

    def close_if_health_check_failed(self):
        if self.connection is not None and not self.health_check_done and self.health_check_enabled:
            idle = time.monotonic() - self._last_used
            fd = self.socket_fd() if idle < directus_settings.DB_HEALTH_CHECK_IDLE_SECONDS else None
            if fd is not None:
                if self._server_said_something(fd):
                    self.close()
                self.health_check_done = True
                return
        super().close_if_health_check_failed()

    @staticmethod
    def _server_said_something(fd: int) -> bool:
        try:
            readable, _, _ = select.select([fd], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self._last_used = time.monotonic()
        return cursor

    def close(self):
        super().close()
        self._last_used = float("-inf")
