"""Schema changes as all-or-nothing units: DDL through Django's schema editor plus the metadata
rows that describe it.

SQLite and PostgreSQL roll DDL back with the transaction, so a unit is one `atomic` block.
MariaDB commits implicitly around every DDL statement, so there each step that changed something
registers how to undo it, and a failure runs those undos in reverse order. Steps are ordered so
that data is never destroyed before the last step that can fail (tables and columns to drop are
renamed aside first, and only dropped once everything else succeeded)."""

import logging
import re
import uuid
from collections.abc import Callable

from django.db import connections, transaction

logger = logging.getLogger("directus.schema")


class SchemaChange:
    """Collects the steps of one schema change and makes them all-or-nothing.

    with SchemaChange(alias) as change:
        change.ddl(lambda editor: editor.create_model(model), undo=lambda editor: editor.delete_model(model))
        change.write(lambda: Field.objects.using(alias).create(...), undo=...)
        change.finally_ddl(lambda editor: editor.delete_model(renamed_model))
    """

    def __init__(self, alias: str):
        self.alias = alias
        self.connection = connections[alias]
        self.transactional = self.connection.features.can_rollback_ddl
        self._undo: list[Callable[[], None]] = []
        self._after: list[Callable] = []
        self._atomic = None

    def __enter__(self) -> "SchemaChange":
        if self.connection.vendor == "sqlite" and not self.connection.in_atomic_block:
            # The schema editor refuses to run in a transaction while SQLite checks foreign keys;
            # project tables have none, so the checks stay off for this connection.
            self.connection.disable_constraint_checking()
        if self.transactional:
            self._atomic = transaction.atomic(using=self.alias)
            self._atomic.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            try:
                for step in self._after:
                    self._run_ddl(step)
            except BaseException as error:
                # Undo everything, then let the failure reach the caller: returning normally here
                # would report a change that was rolled back as done.
                self.__exit__(type(error), error, error.__traceback__)
                raise
            if self._atomic is not None:
                self._atomic.__exit__(None, None, None)
            return False
        if self._atomic is not None:
            self._atomic.__exit__(exc_type, exc, tb)
        else:
            self._run_undo()
        return False

    def ddl(self, do: Callable, undo: Callable | None = None) -> None:
        """Run a schema-editor step now; `do` and `undo` take the editor."""
        self._run_ddl(do)
        if undo is not None:
            self._undo.append(lambda: self._run_ddl(undo))

    def write(self, do: Callable[[], object], undo: Callable[[], None] | None = None):
        """Run a metadata write now; on engines without transactional DDL, keep its undo."""
        with transaction.atomic(using=self.alias):
            result = do()
        if undo is not None and not self.transactional:
            self._undo.append(undo)
        return result

    def undo_with(self, undo: Callable[[], None]) -> None:
        """Keep the undo of a step that ran as a unit of its own inside this one (a whole schema
        service call); on engines with transactional DDL this unit's transaction undoes it."""
        if not self.transactional:
            self._undo.append(undo)

    def finally_ddl(self, do: Callable) -> None:
        """A destructive step, run only after every other step succeeded."""
        self._after.append(do)

    def _run_ddl(self, step: Callable) -> None:
        with self.connection.schema_editor(atomic=False) as editor:
            step(editor)

    def _run_undo(self) -> None:
        for undo in reversed(self._undo):
            try:
                undo()
            except Exception:  # keep undoing the rest; the log says what is left to mend
                logger.exception("Undoing a failed schema change on %s did not complete", self.alias)


def aside_name(table: str) -> str:
    """A temporary name for a table or column that is about to be dropped."""
    return f"{table[:40]}__del_{uuid.uuid4().hex[:8]}"


_ASIDE = re.compile(r"__del_[0-9a-f]{8}$")


def is_aside(name: str) -> bool:
    """Named by `aside_name`: already gone as far as the schema is concerned. Another worker that
    describes the table in the moment before the drop must not take it for a column (or a
    collection) and keep building statements that name it."""
    return _ASIDE.search(name) is not None
