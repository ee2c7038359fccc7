"""The INSERTs of the audit trail (activity rows, revisions), compiled once per database.

Every write records an activity row and a revision. Going through `Model.objects.create()` builds
a model instance and compiles the same INSERT again each time, which costs more than sending it.
Here Django compiles it once per database alias; each row only has its values prepared, by each
field exactly as Django's own INSERT prepares them."""

from dataclasses import dataclass

from django.db import connections, models, transaction
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
            query = InsertQuery(self.model)
            query.insert_values(self.fields, [self.model()])
            compiler = query.get_compiler(using=alias)
            if returns_key:
                compiler.returning_fields = [self.model._meta.pk]
            [(sql, params)] = compiler.as_sql()
            if len(params) != len(self.fields) + len(compiler.returning_params):
                # A column filled by a database default or an expression has no parameter of its own.
                raise ValueError(f"{self.model.__name__}: every column must take its value as one parameter")
            statement = self._compiled[key] = _Statement(sql, returns_key, tuple(compiler.returning_params))
        return statement

    def insert(self, alias: str, **values):
        statement = self._compile(alias)
        connection = connections[alias]
        params = [
            field.get_db_prep_save(
                values[field.attname] if field.attname in values else field.get_default(), connection
            )
            for field in self.fields
        ]
        params += statement.returning_params
        # Like Model.save(): an error marks the surrounding transaction for rollback.
        with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            if statement.returns_key:
                return connection.ops.fetch_returned_insert_columns(cursor, statement.returning_params)[0]
            meta = self.model._meta
            return connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
