"""Querysets compiled to SQL once and run many times with new values.

Compiling a queryset costs more than sending it for the small lookups every request makes
(the caller's user row, for one). Django has no statement cache, so this keeps what Django
generated for each database alias (the SQL, the positions of the values that change, the
converters of the selected columns and where the model's fields and annotations sit in a row)
and turns each row into an instance the way Django's own model iterable does."""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, models


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    positions: tuple[int, ...]
    # Which run-time value goes at each position (a lookup may use its value twice).
    slots: tuple[int, ...]
    field_names: tuple[str, ...]
    fields_slice: slice
    annotations: tuple[tuple[str, int], ...]
    converters: tuple


class CompiledQuery:
    """`build(*sentinels)` returns the queryset; each sentinel marks a value given at run time.

    Sentinels are values no real call uses (see `text_sentinel`/`int_sentinel`); they must
    survive the field's own preparation unchanged, which strings and integers do."""

    def __init__(self, model: type[models.Model], build: Callable[..., models.QuerySet], sentinels: tuple):
        self.model = model
        self.build = build
        self.sentinels = sentinels
        # By alias and engine: a project created again under its key (same alias) may be on
        # another engine, whose SQL differs.
        self._compiled: dict[tuple[str, str], _Statement] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> _Statement:
        key = (alias, connections[alias].vendor)
        statement = self._compiled.get(key)
        if statement is None:
            with self._lock:
                compiler = self.build(*self.sentinels).query.get_compiler(using=alias)
                sql, params = compiler.as_sql()
                places = [
                    (position, slot)
                    for slot, sentinel in enumerate(self.sentinels)
                    for position, param in enumerate(params)
                    if type(param) is type(sentinel) and param == sentinel
                ]
                columns = [selected[0] for selected in compiler.select]
                first, last = compiler.klass_info["select_fields"][0], compiler.klass_info["select_fields"][-1] + 1
                converters = compiler.get_converters(columns)
                statement = self._compiled[key] = _Statement(
                    sql=sql,
                    params=tuple(params),
                    positions=tuple(position for position, _slot in places),
                    slots=tuple(slot for _position, slot in places),
                    field_names=tuple(column.target.attname for column in columns[first:last]),
                    fields_slice=slice(first, last),
                    annotations=tuple(compiler.annotation_col_map.items()),
                    converters=tuple(converters.items()),
                )
        return statement

    def first(self, alias: str, *values):
        statement = self._compile(alias)
        bound = bind(statement.params, statement.positions, [values[slot] for slot in statement.slots])
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, bound)
            row = cursor.fetchone()
        if row is None:
            return None
        if statement.converters:
            row = converted(row, statement.converters, connection)
        instance = self.model.from_db(alias, statement.field_names, row[statement.fields_slice])
        for name, position in statement.annotations:
            setattr(instance, name, row[position])
        return instance


def bind(params, positions, values) -> list:
    """A compiled statement's parameters with the run-time values at their positions."""
    bound = list(params)
    for position, value in zip(positions, values, strict=True):
        bound[position] = value
    return bound


def converted(row, converters, connection) -> list:
    """A fetched row with Django's converters applied, as its model iterables do; `converters`
    are the items of `compiler.get_converters(...)`, kept with the compiled statement."""
    row = list(row)
    for position, (functions, expression) in converters:
        for function in functions:
            row[position] = function(row[position], expression, connection)
    return row


def text_sentinel(name: str) -> str:
    return f"\x00compiled:{name}\x00"


def int_sentinel(number: int) -> int:
    # Inside the 32-bit range: Django turns lookups with out-of-range integers into no query.
    return -2_000_000_000 - number
