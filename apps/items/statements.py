"""Item reads compiled once and run many times.

Building a queryset and compiling it to SQL costs several times more than running it for the
reads clients repeat: an item by id, the same page of a list, the authors of those items.
Django keeps no statement cache, so the reader names each read with a key of everything that
decides its SQL (collection, columns, the caller's row filter, the query's own filter, sort and
window) and this module keeps the compiled statement under that key. The values that change
from one call to the next (ids, related keys) are compiled as sentinels and bound when the
statement runs; a read whose sentinels do not come through compilation unchanged is simply not
kept, and runs through the ORM every time.

The cache lives in the project's configuration cache (apps.schema.cache.ProjectSchema.config),
so a schema, permission or settings change drops it, and it is bounded (least recently used
statements go first)."""

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import DateTimeField, Field, Lookup, QuerySet

from apps.core.compiled import bind, converted, int_sentinel, text_sentinel

# Statements kept per project and schema version, in each worker.
STATEMENTS_KEPT = 512


@Field.register_lookup
class AnyOf(Lookup):
    """`column = ANY(%s)` with the values bound as one array (PostgreSQL). Unlike `IN (%s, ...)`
    its SQL does not change with the number of values, so one compiled statement serves every
    length, and psycopg keeps its parsed form (it parses again each statement of more than 50
    parameters)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [self.lhs.output_field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs]
        # The array as the column's own type: psycopg types it from the Python values (int2[],
        # text[]), which a uuid column, say, could not be compared with.
        db_type = field.db_type(connection)
        cast = f"::{db_type}[]" if db_type else ""
        return f"{lhs} = ANY(%s{cast})", (*lhs_params, values)


def one_of(alias: str, attname: str, values: list) -> dict:
    """Filter arguments for `attname` being one of `values`: `= ANY(array)` on PostgreSQL for
    integer or text values, `IN (...)` otherwise; a single integer is a plain `=` (binding an
    array costs more than the rest of a read by id)."""
    if _single_int(values):
        return {attname: values[0]}
    if _kind(values) is not None and connections[alias].vendor == "postgresql":
        return {f"{attname}__any_of": values}
    return {f"{attname}__in": values}


def _statement_size(alias: str, values: list) -> int | None:
    """What of the number of values decides a statement's SQL: nothing for an array on
    PostgreSQL, else the count (`IN` lists, and one integer compared with `=`)."""
    if connections[alias].vendor != "postgresql" or _single_int(values):
        return len(values)
    return None


def _single_int(values: list) -> bool:
    return len(values) == 1 and _kind(values) is int


def _kind(values: list) -> type | None:
    if all(isinstance(value, int) and not isinstance(value, bool) for value in values):
        return int
    if all(isinstance(value, str) for value in values):
        return str
    return None


@dataclass
class RowSource:
    """The rows of one read, built only when the statement is not compiled yet.

    `build(values)` returns the queryset for these `values` (the ids or keys of an IN list);
    `key` names everything else that decides its SQL, or is None for a read never kept."""

    key: tuple | None
    build: Callable[[list], QuerySet]
    values: list = field(default_factory=list)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    positions: tuple[int, ...]
    converters: tuple
    array: bool  # the values are bound as one array (AnyOf)
    converts_datetimes: bool  # Django converts a datetime column's values after fetching

    def run(self, alias: str, values: list, wire_datetimes: bool = False) -> list[tuple]:
        bound = bind(self.params, self.positions, [_array_param(values)] if self.array else values)
        connection = connections[alias]
        with connection.cursor() as cursor:
            if wire_datetimes and not self.converts_datetimes and hasattr(connection, "load_datetimes_as_wire_text"):
                connection.load_datetimes_as_wire_text(cursor)
            cursor.execute(self.sql, bound)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        return [converted(row, self.converters, connection) for row in rows]

    def run_json(self, alias: str, values: list, outer: "JsonSelect", width: int) -> list[tuple]:
        """The rows as `outer` selects from this statement's `width` columns."""
        bound = bind(self.params, self.positions, [_array_param(values)] if self.array else values)
        # Only PostgreSQL's backend writes JSON (apps.projects.backends.postgresql).
        return connections[alias].select_rows(outer.around(self.sql, width), [*outer.params, *bound])


@dataclass(frozen=True)
class JsonSelect:
    """A select list over a read's columns, named c0, c1, ... in their order: some passed as
    they are, JSON text the database writes from others (apps.items.reader.ItemReader.read_json).
    Its `params` are bound before the read's own."""

    sql: str
    params: tuple

    def around(self, sql: str, width: int) -> str:
        columns = ", ".join(f"c{index}" for index in range(width))
        return f"SELECT {self.sql} FROM ({sql}) AS level ({columns})"


def _array_param(values: list):
    """The values of an `= ANY(%s::type[])`: integers as PostgreSQL's array text, which psycopg
    sends as it is (its list dumper quotes element by element in Python: a tenth of a list read
    of 100 items with their authors)."""
    if all(value.__class__ is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    return list(values)


_UNCOMPILABLE = object()


class ReadStatements:
    def __init__(self, size: int | None = None):
        self.size = size or STATEMENTS_KEPT
        self._statements: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._statements)

    def rows(self, alias: str, source: RowSource, attnames: list[str], *, wire_datetimes=False) -> list[tuple]:
        """The rows of `source` as tuples of `attnames`. With `wire_datetimes`, datetimes may
        come as the API's text where the database can give it (PostgreSQL), else as datetimes."""
        statement = self._statement(alias, source, attnames)
        if statement is None or statement is _UNCOMPILABLE:
            return list(source.build(source.values).values_list(*attnames))
        return statement.run(alias, source.values, wire_datetimes)

    def kept(self, key: tuple, build: Callable[[], object]):
        """What is derived once per read shape (compiled statements, apps.items.reader.JsonLevel),
        built by `build()` outside the lock if absent; the least recently used go first."""
        with self._lock:
            value = self._statements.get(key)
            if value is not None:
                self._statements.move_to_end(key)
                return value
        value = build()
        with self._lock:
            self._statements[key] = value
            while len(self._statements) > self.size:
                self._statements.popitem(last=False)
        return value

    def _statement(self, alias: str, source: RowSource, attnames: list[str]):
        """The compiled statement of this read (compiled now if new), _UNCOMPILABLE, or None
        for a read never kept."""
        if source.key is None:
            return None
        key = (source.key, tuple(attnames), _statement_size(alias, source.values))
        try:
            hash(key)
        except TypeError:  # a value in the key that cannot name a statement: not kept
            return None
        return self.kept(key, lambda: _compile(alias, source, attnames))

    def json_rows(self, alias: str, source: RowSource, attnames: list[str], outer: JsonSelect) -> list[tuple] | None:
        """The rows of `source` as `outer` selects from its columns `attnames`; None (and no
        statement run) where the read is not kept compiled or Django would convert a value."""
        statement = self._statement(alias, source, attnames)
        if statement is None or statement is _UNCOMPILABLE or statement.converters:
            return None
        return statement.run_json(alias, source.values, outer, len(attnames))


def _sentinels(values: list) -> list | None:
    kind = _kind(values)
    if kind is int:
        return [int_sentinel(index) for index in range(len(values))]
    if kind is str:
        return [text_sentinel(str(index)) for index in range(len(values))]
    return None


def _compile(alias: str, source: RowSource, attnames: list[str]):
    sentinels = _sentinels(source.values)
    if sentinels is None:
        return _UNCOMPILABLE
    queryset = source.build(sentinels).values_list(*attnames)
    compiler = queryset.query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _UNCOMPILABLE
    params = list(params)
    if len(compiler.select) != len(attnames):
        return _UNCOMPILABLE
    array = params.count(sentinels) == 1
    if array:
        positions = (params.index(sentinels),)
    elif all(params.count(sentinel) == 1 for sentinel in sentinels):
        positions = tuple(params.index(sentinel) for sentinel in sentinels)
    else:
        return _UNCOMPILABLE  # a value did not reach the SQL as given (prepared or deduplicated)
    converters = compiler.get_converters([selected[0] for selected in compiler.select])
    return _Compiled(
        sql=sql,
        params=tuple(params),
        positions=positions,
        converters=tuple(converters.items()),
        array=array,
        converts_datetimes=any(
            isinstance(expression.output_field, DateTimeField) for _functions, expression in converters.values()
        ),
    )
