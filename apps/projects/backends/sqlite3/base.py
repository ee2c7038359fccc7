import time

from django.db.backends.sqlite3 import base

from .. import ProjectConnection

# SQLite virtual-machine steps between two looks at the clock: often enough to stop within a
# millisecond or so, rarely enough to cost nothing measurable.
PROGRESS_STEPS = 10_000


class StatementClock:
    """When the running statement started; SQLite's progress handler asks it whether the
    statement has run out of time (a true answer interrupts it: "interrupted")."""

    def __init__(self):
        self.limit = 0.0
        self.started = float("inf")

    def start(self, execute, sql, params, many, context):
        # An execute wrapper: fetching the rows runs the statement on, within the same limit.
        self.started = time.monotonic()
        return execute(sql, params, many, context)

    def expired(self) -> bool:
        return time.monotonic() - self.started > self.limit


class DatabaseWrapper(ProjectConnection, base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clock = StatementClock()
        self.execute_wrappers.append(self._clock.start)

    def limit_statements(self, seconds: float) -> None:
        if seconds > 0:
            self._clock.limit = seconds
            self.connection.set_progress_handler(self._clock.expired, PROGRESS_STEPS)
