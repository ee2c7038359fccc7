"""A request that meets a schema changed under it runs again, once.

A request checks the project's schema version once, near its start (`cache.project_schema`).
Another worker may add or drop a column between that check and the request's statements: an
INSERT built from the old column list then fails (PostgreSQL `UndefinedColumn`, MariaDB 1054,
SQLite "no such column"), and a worker serving several threads may even hand one request the
descriptions of one version and the models of the next.

So when a view fails with an error that is not one of the API's own answers, the version is
checked again. If it moved, the handler runs once more on the new schema, provided nothing it
wrote has been committed (its transaction was rolled back with the error); otherwise, or when
the second run meets yet another change, the answer is `503` code `0` with `Retry-After`.

A statement that names a column or table the database does not have is a schema change too,
even with the version unmoved: on MariaDB, whose DDL commits statement by statement, a column
is renamed aside before the version moves; or someone changed the table by hand. The worker
then describes the project again from the live tables before the second run. Any other error
with the version unmoved is answered as before: it was not a concurrent change."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import Http404
from rest_framework.exceptions import APIException

from apps.core import errors
from apps.core.dberrors import is_undefined_name

from .cache import changed_by_this_request, check_again, project_schema

logger = logging.getLogger("directus.schema")

# Statements that leave the database as it was; anything else counts as a write.
_READS = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW", "DEALLOCATE", "EXPLAIN", "PRAGMA")


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
        if not isinstance(sql, str) or not sql.lstrip(" \t\r\n(")[:10].upper().startswith(_READS):
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
        """An error that is none of the API's own answers, with the schema version (or what this
        worker knows of it) moved since the request checked it, or a statement naming a column
        or table that is not there."""
        if self._watch is None or isinstance(exc, APIException | Http404 | PermissionDenied):
            return False
        if self._watch.connection.in_atomic_block:
            return False  # inside a caller's transaction (a test's): nothing can run again
        if changed_by_this_request():
            return False  # the version moved by this request's own change
        project = self.request.project
        try:
            if check_again(project):
                return True
            if is_undefined_name(exc):
                project_schema(project).reload()
                return True
            return False
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
