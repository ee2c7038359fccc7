"""Writing items: create, update, delete and revert, with nested relational writes, validation,
server-filled values, and an activity row plus a revision for every item touched.

The writer runs inside its caller's transaction: the item service (operations.py) opens one per
operation, so a batch or a nested write that fails anywhere leaves nothing behind. A plain create
(`may_create_alone`, `create_alone`) is one statement of its own instead (one_statement.py)."""

from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import IntegrityError, connections, transaction
from django.db.models import signals
from django.db.models.expressions import DatabaseDefault
from django.db.models.sql import InsertQuery

from apps.access.interface import Guard
from apps.core import errors
from apps.core.compiled import converted
from apps.schema import status as statuses
from apps.schema.cache import ProjectSchema, config_changed
from apps.schema.description import CollectionInfo, FieldInfo
from apps.schema.signals import is_config_table
from directus.conf import directus_settings

from . import audit, one_statement
from .audit import Actor
from .hooks import NO_HOOKS, WriteHooks
from .registry import listeners, write_hooks
from .values import check_validation, to_column

DELETE_KEY = "$delete"


@dataclass(frozen=True)
class ItemEvent:
    """What item listeners (apps.items.registry) are given for each written item."""

    project: str
    alias: str
    action: str  # create, update, delete
    collection: str
    item: object
    data: dict  # the row as written, in wire values, without hash fields or credentials; deletes: the deleted row


@dataclass(frozen=True)
class Parent:
    collection: str
    item: object
    changed: bool = False


@dataclass(frozen=True)
class NewItem:
    """A create checked and its row made (ItemWriter.prepare_create), not written yet."""

    collection: CollectionInfo
    payload: dict
    hooks: WriteHooks
    values: dict  # column values by field name, server values filled in
    instance: object  # the model instance to insert, each value as its column stores it


def is_required(info: FieldInfo) -> bool:
    """Whether a create must give this column a value (items.md § Validation)."""
    column = info.column
    if column.auto_increment or info.field_type.server_fill is not None:
        return False
    if info.type == "status":
        return column.default is None
    return not column.nullable and column.default is None


class ItemWriter:
    def __init__(self, schema: ProjectSchema, actor: Actor, guard: Guard):
        self.schema = schema
        self.actor = actor
        self.guard = guard
        self._depth = 0
        # (collection, pk) -> the row as an INSERT returned it, when nothing changed it since.
        self.inserted_rows: dict[tuple[str, object], dict] = {}

    # Public operations ------------------------------------------------------------------------

    def create(
        self,
        collection: CollectionInfo,
        payload,
        *,
        parent: Parent | None = None,
        hooks: WriteHooks | None = None,
        caller_fields: set[str] | None = None,
    ):
        """`hooks` replaces the collection's rules for this row only when the caller is the
        service that applies them itself (the file service sets a file's content columns).
        `caller_fields` names the fields the caller sent when that service derived the others:
        the permission check sees the caller's fields only."""
        new = self.prepare_create(collection, payload, hooks=hooks, caller_fields=caller_fields)
        return self.write_created(new, parent=parent)

    def prepare_create(
        self,
        collection: CollectionInfo,
        payload,
        *,
        hooks: WriteHooks | None = None,
        caller_fields: set[str] | None = None,
    ) -> "NewItem":
        """A create checked and its row made, ready to be written: the permission check, the
        hooks' `before_create`, nested M2O objects (written now), server values, required values
        and validation, each value as its column stores it."""
        payload = self._checked_payload(collection, payload)
        self.guard.check_create(collection, _sent(payload, caller_fields))
        hooks = write_hooks(collection.name) if hooks is None else hooks
        payload = hooks.before_create(self, collection, payload)
        model = self._model(collection)
        values = self._resolve_many_to_one(collection, payload)
        self._fill_server_values(collection, values, payload, creating=True)
        self._check_required(collection, values, current=None)
        instance = model(**self._to_columns(collection, values, model))
        return NewItem(collection, payload, hooks, values, instance)

    def write_created(self, new: "NewItem", *, parent: Parent | None = None):
        """The prepared row's INSERT and all that follows it (children, audit, hooks, events)."""
        collection, payload, hooks, values, instance = new.collection, new.payload, new.hooks, new.values, new.instance
        model = type(instance)
        try:
            with transaction.atomic(using=model.objects.db, savepoint=False):
                stored = _insert(instance, model.objects.db, self._row_inserts(model))
        except IntegrityError as exc:
            raise self._integrity_error(collection, exc) from exc
        pk = instance.pk
        if collection.primary_key.name in values:
            _advance_sequence(model)
        children_changed = self._write_children(collection, pk, payload)
        # The inserted row stands for the stored one unless a nested write changed it since (a
        # child pointing back at it by object); otherwise it is read again.
        written = None
        if stored is not None and not children_changed:
            written = {info.name: stored[info.attname] for info in collection.columns}
        action = "upload" if collection.name == "directus_files" else "create"
        self._account(collection, pk, action, delta=self._delta(collection, values), parent=parent, row=written)
        hooks.after_create(self, collection, pk, payload)
        self._config_written(collection)
        # Hooks may write the row after the revision was taken; the event then reads it again.
        self._emit("create", collection, pk, written if hooks is NO_HOOKS else None)
        if written is not None and hooks is NO_HOOKS:
            self.inserted_rows[(collection.name, pk)] = written
        return pk

    # One statement (one_statement.py) --------------------------------------------------------

    def may_create_alone(self, collection: CollectionInfo, payload) -> bool:
        """Whether this create might be written by one statement of its own, outside any
        transaction: on PostgreSQL, with no transaction open, for a collection without write
        hooks, configuration rows or item listeners, and a payload with no relational part (so
        nothing is written before the row). `prepare_create` then writes nothing, and
        `create_alone` tells whether the row itself can be."""
        connection = connections[self.schema.alias]
        return (
            connection.vendor == "postgresql"
            and connection.get_autocommit()
            and not connection.in_atomic_block
            and isinstance(payload, dict)
            and write_hooks(collection.name) is NO_HOOKS
            and not is_config_table(collection.name)
            and not self._listening(collection, "create")
            and not _relational_parts(collection, payload)
        )

    def create_alone(self, new: "NewItem"):
        """Write a create that `may_create_alone` allowed as one statement in autocommit: the
        item's INSERT with its activity row and revision (one_statement.py). Returns its key, or
        None when the row is not plain (a value left to a database default, a given key, a
        value the database may store otherwise than sent); then `write_created` it in a
        transaction."""
        collection, instance = new.collection, new.instance
        model = type(instance)
        meta = model._meta
        using = model.objects.db
        connection = connections[using]
        if meta.pk is not meta.auto_field or collection.primary_key.name in new.values:
            return None
        if not _returns_stored_row(connection, model):
            return None
        call = _insert_call(instance, using, self._row_inserts(model))
        if not call.kept or call.key_given or call.defaults or call.statement.returning_params:
            return None
        sql, params = call.statement.sql, call.params
        if not self.actor.skip:  # without hooks, the collection keeps history
            audited = self._audit_alone(new, call)
            if audited is None:
                return None
            sql, audit_params = audited
            params = params + audit_params
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
        except IntegrityError as exc:
            raise self._integrity_error(collection, exc) from exc
        stored = _stored(instance, using, call.statement, row)
        written = {info.name: stored[info.attname] for info in collection.columns}
        self.inserted_rows[(collection.name, instance.pk)] = written
        return instance.pk

    def _audit_alone(self, new: "NewItem", call: "_InsertCall") -> tuple[str, list] | None:
        """The statement that also writes the activity row and the revision, and the parameters
        it adds; None when the revision cannot be written before the row exists."""
        collection, model = new.collection, type(new.instance)
        using = model.objects.db
        kinds = self.schema.config(
            ("stored_as_sent", model), lambda: one_statement.stored_as_sent(using, model._meta.db_table)
        )
        if kinds is None:
            return None
        fields = model._meta.local_concrete_fields
        predicted = one_statement.predicted_row(kinds, fields, model._meta.pk, call.params)
        if predicted is None:
            return None
        row = converted(predicted, call.statement.converters, connections[using])
        stored = {field.attname: value for field, value in zip(fields, row, strict=True)}
        recorded = _recorded(collection, {info.name: stored[info.attname] for info in collection.columns})
        data = one_statement.around_key(audit.scrub(collection.name, recorded))
        if data is None:
            return None
        statements = self.schema.config(("one_statement", model), dict)
        sql = statements.get(call.statement.sql)
        if sql is None:
            sql = statements[call.statement.sql] = one_statement.statement(
                using, call.statement.sql, model._meta.pk.column
            )
        delta = audit.scrub(collection.name, self._delta(collection, new.values))
        # The activity row's `item` and the revision's `activity`, `item` and key are the statement's.
        activity = audit.row(self.actor, "create", collection.name, item="")
        revision = {"collection": collection.name, "delta": delta}
        return sql, one_statement.audit_params(using, activity, revision, data)

    def update(
        self,
        collection: CollectionInfo,
        pk,
        payload,
        *,
        parent: Parent | None = None,
        action="update",
        hooks: WriteHooks | None = None,
        caller_fields: set[str] | None = None,
    ):
        """`hooks` and `caller_fields` as for `create`."""
        payload = self._checked_payload(collection, payload)
        model = self._model(collection)
        current = self._current(collection, model, pk)
        if current is None:
            raise errors.ItemNotFound(f'Item with id "{pk}" not found')
        becomes_soft_deleted = self._sets_soft_delete(collection, payload, current)
        self.guard.check_update(collection, current, _sent(payload, caller_fields), soft_delete=becomes_soft_deleted)
        hooks = write_hooks(collection.name) if hooks is None else hooks
        payload = hooks.before_update(self, collection, pk, current, payload)
        values = self._resolve_many_to_one(collection, payload)
        primary = collection.primary_key
        values.pop(primary.name, None)
        changed = {name: value for name, value in values.items() if not self._same(collection, name, value, current)}
        if changed:
            self._fill_server_values(collection, changed, payload, creating=False)
            self._check_required(collection, changed, current=current)
            row = self._to_columns(collection, changed, model)
            try:
                with transaction.atomic(using=model.objects.db, savepoint=False):
                    model.objects.filter(**{primary.attname: pk}).update(**row)
            except IntegrityError as exc:
                raise self._integrity_error(collection, exc) from exc
        children_changed = self._write_children(collection, pk, payload)
        if changed or children_changed:
            if becomes_soft_deleted:
                action = "soft-delete"
            self._account(collection, pk, action, delta=self._delta(collection, changed), parent=parent)
        hooks.after_update(self, collection, pk, current, payload)
        self._config_written(collection)
        self._emit("update", collection, pk)
        return pk

    def delete(self, collection: CollectionInfo, pk, *, parent: Parent | None = None) -> None:
        model = self._model(collection)
        current = self._current(collection, model, pk)
        if current is None:
            raise errors.ItemNotFound(f'Item with id "{pk}" not found')
        self.guard.check_delete(collection, current)
        hooks = write_hooks(collection.name)
        hooks.before_delete(self, collection, pk, current)
        model.objects.filter(**{collection.primary_key.attname: pk}).delete()
        if hooks.keeps_history:
            audit.record(self.actor, "delete", collection.name, pk)
        hooks.after_delete(self, collection, pk, current)
        self._config_written(collection)
        self._emit("delete", collection, pk, current)

    def current(self, collection: CollectionInfo, pk) -> dict | None:
        """The item as stored (values by field name), whoever may read it; None when missing."""
        return self._current(collection, self._model(collection), pk)

    def revert(self, collection: CollectionInfo, pk, data: dict) -> None:
        columns = {info.name for info in collection.columns}
        payload = {key: value for key, value in data.items() if key in columns}
        payload.pop(collection.primary_key.name, None)
        # Values the server fills are restored as they were, not refilled.
        self.update(collection, pk, payload, action="revert")

    # Payload checks ---------------------------------------------------------------------------

    def _checked_payload(self, collection: CollectionInfo, payload) -> dict:
        if not isinstance(payload, dict):
            raise errors.InvalidPayload()
        unknown = [key for key in payload if key not in collection.fields and key != DELETE_KEY]
        if unknown:
            raise errors.UnprocessableEntity(
                f'Payload fields: "{", ".join(unknown)}" does not exist in "{collection.name}" collection.'
            )
        payload = {key: value for key, value in payload.items() if key != DELETE_KEY}
        return payload

    def _model(self, collection: CollectionInfo):
        model = self.schema.model(collection.name)
        if model is None:
            raise errors.CollectionNotManaged(f'Collection "{collection.name}" has no single primary key')
        return model

    def _current(self, collection: CollectionInfo, model, pk) -> dict | None:
        attnames = {info.attname: info.name for info in collection.columns}
        try:
            row = model.objects.filter(**{collection.primary_key.attname: pk}).values(*attnames).first()
        except (ValueError, TypeError):
            return None
        return None if row is None else {attnames[key]: value for key, value in row.items()}

    def _same(self, collection: CollectionInfo, name: str, value, current: dict) -> bool:
        info = collection.fields[name]
        if info.alias:
            return True
        if info.field_type.one_way and value not in (None, ""):
            return False
        try:
            stored = self._to_columns(collection, {name: value}, self._model(collection))
        except errors.DirectusError:
            return False
        return next(iter(stored.values())) == current.get(name)

    def _sets_soft_delete(self, collection: CollectionInfo, payload: dict, current: dict) -> bool:
        status = collection.status_field
        if status is None or status.name not in payload:
            return False
        hidden = statuses.soft_deleted(collection)
        return payload[status.name] in hidden and current.get(status.name) not in hidden

    # Relational writes ------------------------------------------------------------------------

    def _enter(self):
        self._depth += 1
        if self._depth > directus_settings.MAX_RELATIONAL_DEPTH:
            raise errors.InvalidRequest("Nested writes are deeper than allowed")

    def _resolve_many_to_one(self, collection: CollectionInfo, payload: dict) -> dict:
        """Column values of the payload, with nested M2O objects written and replaced by keys."""
        values = {}
        for name, value in payload.items():
            info = collection.fields[name]
            if info.alias:
                continue
            if info.relation and info.relation.kind == "m2o" and isinstance(value, dict | list):
                resolved = self._write_many_to_one(collection, info, value)
                if resolved is _SKIP:
                    continue
                value = resolved
            values[name] = value
        return values

    def _write_many_to_one(self, collection: CollectionInfo, info: FieldInfo, value):
        if not value:
            return _SKIP  # {} and [] leave the field alone
        if isinstance(value, list):
            raise errors.ArrayValueNotAllowed(
                f'Attempting to write an array as the value for field "{info.name}" in "{collection.name}"'
            )
        target = self.schema.collection(info.relation.collection)
        if target is None or target.primary_key is None:
            raise errors.CollectionNotFound(f"Unable to find collection: {info.relation.collection}")
        key = target.primary_key.name
        related_pk = value.get(key)
        self._enter()
        try:
            if related_pk is not None and value.get(DELETE_KEY):
                self.delete(target, related_pk)
                return None if not info.column or info.column.nullable else 0
            others = {k: v for k, v in value.items() if k not in {key, DELETE_KEY}}
            if related_pk is None:
                return self.create(target, others, parent=Parent(collection.name, None))
            if others and info.type != "file":
                self.update(target, related_pk, others, parent=Parent(collection.name, None))
            return related_pk
        finally:
            self._depth -= 1

    def _write_children(self, collection: CollectionInfo, pk, payload: dict) -> bool:
        """O2M and M2M arrays, written after the parent row exists; True when any child changed."""
        changed = False
        for name, value in payload.items():
            info = collection.fields[name]
            if not (info.alias and info.relation and info.relation.kind in {"o2m", "m2m"}):
                continue
            if value in (None, []):
                continue
            if not isinstance(value, list):
                raise errors.InvalidRequest(f"{name}: must be an array of items")
            target = self.schema.collection(info.relation.collection)
            if target is None or target.primary_key is None:
                raise errors.CollectionNotFound(f"Unable to find collection: {info.relation.collection}")
            foreign_key = info.relation.field_many
            key = target.primary_key.name
            parent = Parent(collection.name, pk)
            self._enter()
            try:
                for child in value:
                    if not isinstance(child, dict):
                        child = {key: child}
                    child_pk = child.get(key)
                    if child_pk is not None and child.get(DELETE_KEY):
                        self.delete(target, child_pk, parent=parent)
                    elif child_pk is None:
                        self.create(target, {foreign_key: pk, **child}, parent=parent)
                    else:
                        others = {k: v for k, v in child.items() if k != key}
                        others.setdefault(foreign_key, pk)
                        self.update(target, child_pk, others, parent=parent)
                    changed = True
            finally:
                self._depth -= 1
        return changed

    # Values -----------------------------------------------------------------------------------

    def _fill_server_values(self, collection: CollectionInfo, values: dict, payload: dict, *, creating: bool):
        for info in collection.columns:
            field_type = info.field_type
            fill = field_type.server_fill
            if fill is not None and collection.name not in fill.not_in:
                if creating or fill.on_update:
                    values[info.name] = fill.value(self.actor)
                else:
                    values.pop(info.name, None)  # kept as created
            elif field_type.from_payload is not None and info.name not in values:
                value = field_type.from_payload(info, payload)
                if value is not None:
                    values[info.name] = value

    def _check_required(self, collection: CollectionInfo, values: dict, *, current: dict | None) -> None:
        status = collection.status_field
        required_for = statuses.required_statuses(collection)
        if required_for is not None and status is not None:
            effective = values.get(status.name, (current or {}).get(status.name))
            if effective not in required_for:
                return
        for info in collection.columns:
            if info.name in values:
                check_validation(info, values[info.name])
            if not is_required(info):
                continue
            value = values.get(info.name, (current or {}).get(info.name) if current is not None else None)
            if current is not None and info.name not in values:
                continue  # stored values are not re-checked on update
            if value is None or (isinstance(value, str) and value.strip() == ""):
                raise errors.InvalidRequest(f"{info.name}: This value should not be blank.")

    def _to_columns(self, collection: CollectionInfo, values: dict, model) -> dict:
        row = {}
        for name, value in values.items():
            info = collection.fields[name]
            model_field = model._meta.get_field(info.attname)
            row[info.attname] = to_column(collection.name, info, value, model_field)
        return row

    def _delta(self, collection: CollectionInfo, values: dict) -> dict:
        return {
            name: value for name, value in _recorded(collection, values).items() if name != collection.primary_key.name
        }

    def _account(
        self,
        collection: CollectionInfo,
        pk,
        action: str,
        *,
        delta: dict,
        parent: Parent | None,
        row: dict | None = None,
    ) -> None:
        """The activity row, and the revision with the item as stored (`row` when the caller
        already has it, else read again)."""
        if self.actor.skip or not write_hooks(collection.name).keeps_history:
            return
        current = row if row is not None else self._current(collection, self._model(collection), pk) or {}
        data = _recorded(collection, current)
        audit.record_with_activity(
            self.actor,
            action,
            collection.name,
            pk,
            data,
            delta,
            parent_collection=parent.collection if parent else None,
            parent_item=parent.item if parent else None,
            parent_changed=parent.changed if parent else False,
        )

    def _row_inserts(self, model) -> dict:
        """The model's compiled INSERTs (`_insert`), kept with the schema version."""
        return self.schema.config(("row_inserts", model), dict)

    def _config_written(self, collection: CollectionInfo) -> None:
        if is_config_table(collection.name):
            config_changed(self.schema.alias)

    def _listening(self, collection: CollectionInfo, action: str) -> list:
        """The item listeners that want this event (registry.py)."""
        alias = self.schema.alias
        return [listener for listener in listeners() if listener.wants(alias, collection.name, action)]

    def _emit(self, action: str, collection: CollectionInfo, pk, row: dict | None = None) -> None:
        wanting = self._listening(collection, action)
        if not wanting:
            return
        alias = self.schema.alias
        if row is None:
            row = self._current(collection, self._model(collection), pk) or {}
        data = _recorded(collection, row)
        # Webhook receivers never get credentials (tokens, 2FA secrets), like revisions.
        data = audit.scrub(collection.name, data)
        event = ItemEvent(self.schema.project_key, alias, action, collection.name, pk, data)
        for listener in wanting:
            listener(event)

    def _integrity_error(self, collection: CollectionInfo, exc: IntegrityError) -> errors.DirectusError:
        text = str(exc).lower()
        if "not null" in text or "cannot be null" in text or "null value" in text:
            return errors.InvalidRequest(f'A required value is missing in "{collection.name}"')
        return errors.DuplicateKey(f'Duplicate key for collection "{collection.name}"')


def _recorded(collection: CollectionInfo, values: dict) -> dict:
    """Column values as revisions, activity and item events keep them: in wire values, one-way
    hashes left out."""
    recorded = {}
    for name, value in values.items():
        field_type = collection.fields[name].field_type
        if not field_type.one_way:
            recorded[name] = field_type.wire(value)
    return recorded


_SKIP = object()


def _relational_parts(collection: CollectionInfo, payload: dict) -> bool:
    """Whether the payload writes other rows with its own: nested M2O objects, O2M or M2M
    children (or values there that the writer refuses after the row exists)."""
    for name, value in payload.items():
        info = collection.fields.get(name)
        relation = info.relation if info is not None else None
        if relation is None:
            continue
        if relation.kind == "m2o" and isinstance(value, dict | list):
            return True
        if info.alias and relation.kind in {"o2m", "m2m"} and value not in (None, []):
            return True
    return False


def _sent(payload: dict, caller_fields: set[str] | None) -> dict:
    """What the permission check sees of a payload: the fields the caller sent."""
    if caller_fields is None:
        return payload
    return {key: value for key, value in payload.items() if key in caller_fields}


# Engines whose INSERT ... RETURNING gives the row exactly as a later SELECT reads it. SQLite
# returns whole numbers in REAL columns as integers (a SELECT gives floats), so it reads back.
_RETURNS_STORED_ROW = frozenset({"postgresql", "mysql"})


@dataclass(frozen=True)
class _RowInsert:
    """An INSERT ... RETURNING every column, as Django compiled it for one model and database."""

    sql: str
    returning_params: tuple
    converters: tuple  # (position, (functions, expression)) for the returned columns


def _returns_stored_row(connection, model) -> bool:
    return (
        connection.vendor in _RETURNS_STORED_ROW
        and connection.features.can_return_columns_from_insert
        # Run-time models have no receivers; should one appear, save() keeps sending its signals.
        and not (signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model))
    )


def _insert(instance, using: str, compiled: dict) -> dict | None:
    """INSERT the new instance; where the engine can return the inserted row, also that row as
    stored ({attname: value}, defaults and generated key included), which spares reading it back.

    `compiled` keeps the model's statements: the SQL only depends on the database, whether the
    key is given and which columns are left to their database default."""
    connection = connections[using]
    if not _returns_stored_row(connection, type(instance)):
        instance.save(force_insert=True, using=using)
        return None
    call = _insert_call(instance, using, compiled)
    with connection.cursor() as cursor:
        cursor.execute(call.statement.sql, call.params)
        row = connection.ops.fetch_returned_insert_columns(cursor, call.statement.returning_params)
    return _stored(instance, using, call.statement, row)


@dataclass(frozen=True)
class _InsertCall:
    """The INSERT of one instance and its parameters."""

    statement: _RowInsert
    params: list
    key_given: bool
    defaults: bool  # columns are left to their database default
    # The statement binds every row of its shape alike (it is kept): the parameters are the
    # inserted columns' prepared values, in column order, then the returning parameters.
    kept: bool


def _insert_call(instance, using: str, compiled: dict) -> _InsertCall:
    connection = connections[using]
    meta = instance._meta
    # What Model.save(force_insert=True) inserts: every column but a key the database generates,
    # each with its pre_save() value.
    if instance.pk is None:
        instance.pk = meta.pk.get_pk_value_on_save(instance)
    key_given = instance.pk is not None
    inserted = [
        field
        for field in meta.local_concrete_fields
        if not field.generated and (key_given or field is not meta.auto_field)
    ]
    values = [field.pre_save(instance, True) for field in inserted]
    kinds = tuple(_value_kind(value) for value in values)
    shape = (using, connection.vendor, key_given, kinds)
    statement = compiled.get(shape)
    if statement is not None:
        params = _parameters(connection, inserted, values, kinds, statement)
    else:
        statement, params = _compile_row_insert(instance, using, inserted)
        # Kept only when later rows bind their values the same way: no placeholder or expression
        # that depends on the value, each value prepared by its field, in column order.
        if (
            _EXPRESSION not in kinds
            and not any(hasattr(field, "get_placeholder") for field in inserted)
            and params == _parameters(connection, inserted, values, kinds, statement)
        ):
            compiled[shape] = statement
    return _InsertCall(statement, params, key_given, _DEFAULT in kinds, kept=compiled.get(shape) is statement)


def _stored(instance, using: str, statement: _RowInsert, row) -> dict:
    """The row an INSERT returned, converted as Django reads it ({attname: value}), and the
    instance made a saved one with those values."""
    row = converted(row, statement.converters, connections[using])
    stored = {}
    for field, value in zip(instance._meta.local_concrete_fields, row, strict=True):
        setattr(instance, field.attname, value)
        stored[field.attname] = value
    instance._state.adding = False
    instance._state.db = using
    return stored


_VALUE, _DEFAULT, _EXPRESSION = "value", "default", "expression"


def _value_kind(value) -> str:
    if isinstance(value, DatabaseDefault):
        return _DEFAULT  # a column left to its database default: DEFAULT in the SQL
    return _EXPRESSION if hasattr(value, "resolve_expression") else _VALUE


def _parameters(connection, inserted: list, values: list, kinds: tuple, statement: _RowInsert) -> list:
    prepared = [
        field.get_db_prep_save(value, connection)
        for field, value, kind in zip(inserted, values, kinds, strict=True)
        if kind == _VALUE
    ]
    return prepared + list(statement.returning_params)


def _compile_row_insert(instance, using: str, inserted: list) -> tuple[_RowInsert, list]:
    """Django's INSERT of the instance returning every column, and its parameters."""
    meta = instance._meta
    query = InsertQuery(type(instance))
    query.insert_values(inserted, [instance])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = returned = meta.local_concrete_fields
    [(sql, params)] = compiler.as_sql()
    converters = compiler.get_converters([field.get_col(meta.db_table) for field in returned])
    return _RowInsert(sql, tuple(compiler.returning_params), tuple(converters.items())), list(params)


def _advance_sequence(model) -> None:
    """After an insert with an explicit key, PostgreSQL's sequence must move past it (MySQL and
    SQLite do this by themselves), or the next generated key collides."""
    connection = connections[model.objects.db]
    if connection.vendor != "postgresql" or not model._meta.pk.get_internal_type().endswith("AutoField"):
        return
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)
