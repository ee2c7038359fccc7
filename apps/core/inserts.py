"""The INSERTs of the audit trail (activity rows, revisions), compiled once per database.

Every write records an activity row and a revision. Going through `Model.objects.create()` builds
a model instance and compiles the same INSERT again each time, which costs more than sending it.
Here Django compiles it once per database alias; each row only has its values prepared, by each
field exactly as Django's own INSERT prepares them."""

from dataclasses import dataclass

from django.db import connections, models, transaction
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery


@dataclass(frozen=True)
class _Statement:
    sql: str
    returns_key: bool  # INSERT ... RETURNING the key; else the driver's last insert id
    returning_params: tuple


class CompiledInsert:
    """`insert(alias, **values)` writes one row (columns left out take their field's default)
    and returns its generated key."""

    def __init__(self, model: type[models.Model]):
        meta = model._meta
        self.model = model
        self.fields = tuple(field for field in meta.local_concrete_fields if field is not meta.auto_field)
        self._compiled: dict[tuple, _Statement] = {}

    def _compile(self, alias: str) -> _Statement:
        connection = connections[alias]
        returns_key = connection.features.can_return_columns_from_insert
        # The alias's database may be replaced by another engine (a project's URL changes).
        key = (alias, connection.vendor, returns_key)
        statement = self._compiled.get(key)
        if statement is None:
            sql, params, returning_params = self.as_sql(alias, returning=[self.model._meta.pk] if returns_key else ())
            if len(params) != len(self.fields) + len(returning_params):
                # A column filled by a database default or an expression has no parameter of its own.
                raise ValueError(f"{self.model.__name__}: every column must take its value as one parameter")
            statement = self._compiled[key] = _Statement(sql, returns_key, returning_params)
        return statement

    def as_sql(self, alias: str, *, row=None, returning=()) -> tuple[str, list, tuple]:
        """Django's INSERT of `row` (by default a blank instance) returning the `returning`
        fields: the SQL, its parameters and its returning parameters."""
        query = InsertQuery(self.model)
        query.insert_values(self.fields, [row if row is not None else self.model()])
        compiler = query.get_compiler(using=alias)
        if returning:
            compiler.returning_fields = list(returning)
        [(sql, params)] = compiler.as_sql()
        return sql, params, tuple(compiler.returning_params)

    def params(self, connection, values: dict, *, computed: dict | None = None) -> list:
        """Each column's value prepared by its field as Django's INSERT does, in column order.
        `computed` maps the columns whose value the statement computes itself to the parameters
        their SQL takes instead (usually none)."""
        prepared = []
        for field in self.fields:
            if computed and field.attname in computed:
                prepared.extend(computed[field.attname])
                continue
            value = values[field.attname] if field.attname in values else field.get_default()
            prepared.append(field.get_db_prep_save(value, connection))
        return prepared

    def insert(self, alias: str, **values):
        statement = self._compile(alias)
        connection = connections[alias]
        params = self.params(connection, values) + list(statement.returning_params)
        # Like Model.save(): an error marks the surrounding transaction for rollback.
        with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            if statement.returns_key:
                return connection.ops.fetch_returned_insert_columns(cursor, statement.returning_params)[0]
            meta = self.model._meta
            return connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)


class LinkedInserts:
    """A row and a second row that names the first one's key (an activity row and its revision).

    On PostgreSQL both go in one statement, the first INSERT in a WITH whose key the second reads:
    one round trip less on every write. Other databases get the two INSERTs one after the other."""

    CTE = "linked_first"

    def __init__(self, first: CompiledInsert, second: CompiledInsert, link: str):
        self.first = first
        self.second = second
        self.link = link  # the second row's column holding the first row's key
        self._compiled: dict[tuple, str] = {}

    def _compile(self, alias: str) -> str:
        connection = connections[alias]
        cache_key = (alias, connection.vendor)  # the alias's database may change engine
        sql = self._compiled.get(cache_key)
        if sql is None:
            first = self.first._compile(alias)
            if not first.returns_key or first.returning_params:
                raise ValueError("the first INSERT must return its key as a plain RETURNING clause")
            key = connection.ops.quote_name(self.first.model._meta.pk.column)
            row = self.second.model()
            setattr(row, self.link, RawSQL(f"SELECT {key} FROM {self.CTE}", ()))
            link_field = self.second.model._meta.get_field(self.link)
            second_sql, _params, _returning = self.second.as_sql(alias, row=row, returning=[link_field])
            sql = self._compiled[cache_key] = f"WITH {self.CTE} AS ({first.sql}) {second_sql}"
        return sql

    def insert(self, alias: str, first: dict, second: dict):
        """Writes both rows; returns the first row's key."""
        connection = connections[alias]
        if connection.vendor != "postgresql":  # data-modifying WITH is PostgreSQL's
            key = self.first.insert(alias, **first)
            self.second.insert(alias, **{self.link: key}, **second)
            return key
        sql = self._compile(alias)
        params = self.first.params(connection, first) + self.second.params(connection, second, computed={self.link: ()})
        with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]
