"""A request that meets a schema changed under it runs again, once.

A request checks the project's schema version once, near its start (`cache.project_schema`).
Another worker may add or drop a column between that check and the request's statements: an
INSERT built from the old column list then fails (PostgreSQL `UndefinedColumn`, MariaDB 1054,
SQLite "no such column"), and a worker serving several threads may even hand one request the
descriptions of one version and the models of the next.

So when a view fails with an error that is not one of the API's own answers, the schema app is
asked whether the ground moved (`register_change_check`, from its `AppConfig.ready()`: the
version moved, or a statement named a column or table the database does not have, after which
the project is described again). If it did, the handler runs once more on the new schema,
provided nothing it wrote has been committed (its transaction was rolled back with the error);
otherwise, or when the second run meets yet another change, the answer is `503` code `0` with
`Retry-After`. Any other error is answered as before: it was not a concurrent change.

This module holds the mechanism (watching writes, running again); what counts as a change is the
schema app's, a layer above."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import Http404
from rest_framework.exceptions import APIException

from . import errors

logger = logging.getLogger("directus.schema")

# fn(request, exc) -> bool: did the schema change under this request? (registered by the schema app)
_change_checks: list = []


def register_change_check(check) -> None:
    if check not in _change_checks:
        _change_checks.append(check)


# Statements that leave the database as it was; anything else counts as a write.
_READS = frozenset(
    ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW", "DEALLOCATE", "EXPLAIN", "PRAGMA")
)


def statement_verb(sql) -> str:
    """A statement's first keyword, upper-case ("" for a statement that is not text)."""
    if not isinstance(sql, str):
        return ""
    head = sql.lstrip(" \t\r\n(")[:12].split(None, 1)
    return head[0].upper() if head else ""


class WriteWatch:
    """An execute wrapper on the project connection that tells whether a write of the handler
    may have become permanent: one run outside a transaction, or inside one that committed."""

    def __init__(self, alias: str):
        self.connection = connections[alias]
        self.reset()

    def reset(self) -> None:
        self._commits = self.connection.commits
        self._autocommitted = False
        self._in_transaction = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if statement_verb(sql) not in _READS:
            if self.connection.in_atomic_block:
                self._in_transaction = True
            else:
                self._autocommitted = True
        return result

    @property
    def committed(self) -> bool:
        return self._autocommitted or (self._in_transaction and self.connection.commits != self._commits)


class RerunOnSchemaChange:
    """For API views: run the handler again when the schema changed under it (see above)."""

    _watch: WriteWatch | None = None
    _reruns_left = 1

    def dispatch(self, request, *args, **kwargs):
        project = getattr(request, "project", None)
        if project is None:
            return super().dispatch(request, *args, **kwargs)
        self._watch = WriteWatch(project.alias)
        with connections[project.alias].execute_wrapper(self._watch):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self._watch is not None:
            self._watch.reset()  # what authentication wrote is not the handler's to repeat

    def handle_exception(self, exc):
        if self._met_schema_change(exc):
            if self._reruns_left and self._may_rerun():
                self._reruns_left -= 1
                logger.info("%s %s met a schema change; running it again", self.request.method, self.request.path)
                self._watch.reset()
                try:
                    return self._handler()(self.request, *self.args, **self.kwargs)
                except Exception as again:  # answered below, as any error of the handler
                    return self.handle_exception(again)
            changed = errors.SchemaChanged(headers={"Retry-After": "1"})
            changed.__cause__ = exc
            exc = changed
        return super().handle_exception(exc)

    def _met_schema_change(self, exc) -> bool:
        """An error that is none of the API's own answers, met while the schema changed."""
        if self._watch is None or isinstance(exc, APIException | Http404 | PermissionDenied):
            return False
        if self._watch.connection.in_atomic_block:
            return False  # inside a caller's transaction (a test's): nothing can run again
        try:
            return any(check(self.request, exc) for check in _change_checks)
        except Exception:
            logger.warning("Could not check the schema version again", exc_info=True)
            return False

    def _may_rerun(self) -> bool:
        # An upload's stream was read by the first run (and its file perhaps stored).
        return not self._watch.committed and not self.request.content_type.startswith("multipart/")

    def _handler(self):
        method = self.request.method.lower()
        if method in self.http_method_names:
            return getattr(self, method, self.http_method_not_allowed)
        return self.http_method_not_allowed
