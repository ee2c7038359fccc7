"""Querysets compiled to SQL once and run many times with new values.

Compiling a queryset costs more than sending it for the small lookups every request makes
(the caller's user row, for one). Django has no statement cache, so this keeps the SQL Django
generated for each database alias, with the positions of the values that change, and runs it
through `Model.objects.raw()` with those values bound as parameters."""

import threading
from collections.abc import Callable

from django.db import models


class CompiledQuery:
    """`build(*sentinels)` returns the queryset; each sentinel marks a value given at run time.

    Sentinels are values no real call uses (see `text_sentinel`/`int_sentinel`); they must
    survive the field's own preparation unchanged, which strings and integers do."""

    def __init__(self, model: type[models.Model], build: Callable[..., models.QuerySet], sentinels: tuple):
        self.model = model
        self.build = build
        self.sentinels = sentinels
        self._compiled: dict[str, tuple[str, list, list[int]]] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str):
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                queryset = self.build(*self.sentinels)
                sql, params = queryset.query.get_compiler(using=alias).as_sql()
                params = list(params)
                positions = [params.index(sentinel) for sentinel in self.sentinels]
                compiled = self._compiled[alias] = (sql, params, positions)
        return compiled

    def first(self, alias: str, *values):
        sql, params, positions = self._compile(alias)
        bound = list(params)
        for position, value in zip(positions, values, strict=True):
            bound[position] = value
        return next(iter(self.model.objects.using(alias).raw(sql, bound)), None)


def text_sentinel(name: str) -> str:
    return f"\x00compiled:{name}\x00"


def int_sentinel(number: int) -> int:
    # Inside the 32-bit range: Django turns lookups with out-of-range integers into no query.
    return -2_000_000_000 - number
