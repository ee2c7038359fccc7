"""Database backends of project databases: Django's own, with a cheaper connection health check.

Django checks a persistent connection at the start of every request that uses it (`SELECT 1` on
PostgreSQL, a ping on MariaDB): one round trip per request, as much as a read by id costs. A
connection that ran a statement less than `DB_HEALTH_CHECK_IDLE_SECONDS` ago is taken as alive;
one idle for longer is checked as Django does. Should a recently used connection have died
anyway, the statement fails (503, code 11), Django closes the connection at the end of that
request, and the next request opens a new one."""

import time

from directus.conf import directus_settings


class RecentUseHealthCheck:
    _last_used = float("-inf")

    def close_if_health_check_failed(self):
        idle = time.monotonic() - self._last_used
        if self.connection is not None and idle < directus_settings.DB_HEALTH_CHECK_IDLE_SECONDS:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _cursor(self, name=None):
        cursor = super()._cursor(name)
        self._last_used = time.monotonic()
        return cursor

    def close(self):
        super().close()
        self._last_used = float("-inf")
