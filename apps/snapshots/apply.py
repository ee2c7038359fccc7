"""Making the current project match a snapshot, through the schema services the API uses (the
same checks, DDL, metadata rows and version moves, so every worker sees the change).

A plan is checked whole before its first change: the snapshot's shape and every field
definition, the rules of new collections, primary keys, relation targets, and the drops (a
collection holding rows, or a column of one, goes only when drops are allowed). Then it runs as
one unit: one transaction on SQLite and PostgreSQL, whose DDL rolls back; on MariaDB, where
every DDL statement commits, each step keeps its undo (a collection created is deleted again, a
field changed is changed back...) and a failure runs them in reverse. Drops run last, so a plan
that fails on MariaDB has lost nothing unless it failed among its drops."""

import logging
from dataclasses import dataclass
from functools import partial

from django.db import DataError, IntegrityError, connections

from apps.core import errors
from apps.projects.context import require_project
from apps.schema import services
from apps.schema.cache import project_schema
from apps.schema.ddl import SchemaChange
from apps.schema.description import SYSTEM_PREFIX
from apps.schema.models import Field, Relation

from . import plan
from .canonical import COLLECTION_DEFAULTS, COLUMN_KEYS
from .document import Snapshot, parse
from .plan import COLLECTION, CREATE, FIELD, UPDATE, Change
from .snapshot import current_state

logger = logging.getLogger("directus.schema")


@dataclass(frozen=True)
class Operator:
    """Who changes the schema from a command: an operator with a shell may do what an admin may."""

    is_admin: bool = True
    is_public: bool = False
    user: object | None = None
    user_id: int = 0


OPERATOR = Operator()


def require_admin(identity) -> None:
    """Admins only: `401` code 3 for the public role, `403` code 10 for other users."""
    if getattr(identity, "is_admin", False):
        return
    if getattr(identity, "is_public", True):
        raise errors.Unauthorized()
    raise errors.Forbidden("Permission denied: Admin Only")


def plan_snapshot(document, identity) -> list[Change]:
    """The changes applying `document` to the current project would make (checked whole)."""
    require_admin(identity)
    return _planned(parse(document))[0]


def apply_snapshot(
    document, identity, *, allow_drops: bool = False, dry_run: bool = False, confirm=None
) -> list[Change]:
    """Make the current project match `document`; the changes made (to be made, with `dry_run`,
    or when `confirm`, called with the checked plan, answers no)."""
    require_admin(identity)
    desired = parse(document)
    changes, current = _planned(desired)
    if not allow_drops:
        _refuse_data_drops(changes)
    if changes and not dry_run and (confirm is None or confirm(changes)):
        _run(changes, current, desired, identity)
    return changes


def _planned(desired: Snapshot) -> tuple[list[Change], Snapshot]:
    alias = require_project().alias
    vendor = connections[alias].vendor
    current = current_state()
    changes = plan.diff(current, desired, vendor)
    system = {name for name in project_schema().collections if name.startswith(SYSTEM_PREFIX)}
    plan.check(current, desired, vendor, system)
    return changes, current


def _refuse_data_drops(changes: list[Change]) -> None:
    for change in changes:
        if change.drops_column and _holds_rows(change.collection):
            what = (
                f'collection "{change.collection}"'
                if change.kind == COLLECTION
                else f'field "{change.collection}.{change.field}"'
            )
            raise errors.InvalidRequest(
                f'Dropping {what} would lose the values of the rows of "{change.collection}"; '
                "allow drops to apply this snapshot"
            )


def _holds_rows(table: str) -> bool:
    # A raw EXISTS: the collection's run-time model may not exist (a table without a single key).
    connection = connections[require_project().alias]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
        return cursor.fetchone() is not None


# Running a plan ------------------------------------------------------------------------------


def _run(changes: list[Change], current: Snapshot, desired: Snapshot, identity) -> None:
    alias = require_project().alias
    runner = _Runner(alias, current, desired, identity)
    steps = [
        *((change.line(), partial(runner.run, change), False) for change in changes if not change.destroys),
        ("setting the groups of fields", partial(runner.set_groups, changes), False),
        *((change.line(), partial(runner.run, change), True) for change in changes if change.destroys),
    ]
    dropped = False  # on MariaDB, a drop made cannot be undone
    try:
        with SchemaChange(alias) as unit:
            for name, step, destroys in steps:
                try:
                    undo = step()
                except (IntegrityError, DataError) as exc:
                    # The rows a column holds do not fit its new definition (duplicates for a
                    # unique key, values too long): the snapshot's fault, not the server's.
                    logger.warning("Applying a snapshot to %s failed at %s: %s", alias, name, exc)
                    outcome = "The other changes were undone, not the drops." if dropped else "Nothing was applied."
                    raise errors.UnprocessableEntity(
                        f'"{name}" failed: the values the rows hold do not fit it. {outcome}'
                    ) from exc
                dropped = dropped or (destroys and not unit.transactional)
                if undo is not None:
                    unit.undo_with(undo)
    except Exception:
        # What this worker described of the changes that were rolled back (or undone) goes.
        project_schema().forget()
        raise


class _Runner:
    """Runs each change through a schema service; returns how to undo it (None: it cannot be)."""

    def __init__(self, alias: str, current: Snapshot, desired: Snapshot, identity):
        self.alias = alias
        self.current = current
        self.desired = desired
        self.identity = identity

    def run(self, change: Change):
        return getattr(self, f"_{change.action}_{change.kind}")(change)

    # Collections

    def _create_collection(self, change: Change):
        payload = {key: change.after[key] for key in COLLECTION_DEFAULTS}
        payload["fields"] = [_field_payload(form) for form in change.after["fields"]]
        services.create_collection({"collection": change.collection, **payload}, self.identity)
        return lambda: services.delete_collection(change.collection, self.identity)

    def _update_collection(self, change: Change):
        name = change.collection
        info = project_schema().collection(name)
        if info is not None and info.meta is None:
            # A table without a directus_collections row (never managed): creating it again
            # takes it over as it is, with the snapshot's metadata.
            wanted = self.desired.collections[name]
            services.create_collection(
                {"collection": name, **{k: wanted[k] for k in COLLECTION_DEFAULTS}}, self.identity
            )
        else:
            services.update_collection(name, dict(change.after), self.identity)
        return lambda: services.update_collection(name, dict(change.before), self.identity)

    def _delete_collection(self, change: Change):
        services.delete_collection(change.collection, self.identity)

    # Fields

    def _create_field(self, change: Change):
        services.add_field(change.collection, _field_payload(change.after), self.identity)
        return lambda: services.delete_field(change.collection, change.field, self.identity)

    def _update_field(self, change: Change):
        wanted = self.desired.collections[change.collection]["fields"][change.field]
        had = self.current.collections[change.collection]["fields"][change.field]
        payload = _update_payload(change.field, wanted, set(change.after))
        if len(payload) == 1:
            return None  # only its group changes (set_groups)
        back = _update_payload(change.field, had, set(change.after))

        def undo():
            services.update_fields(change.collection, [back], self.identity)

        try:
            services.update_fields(change.collection, [payload], self.identity)
        except Exception:
            if not connections[self.alias].features.can_rollback_ddl:
                # On MariaDB one column change is several statements (the length, then the
                # unique key...), each committed: those that ran before the failing one stay.
                # Changing the field back starts from the table as it is now.
                _quietly(undo)
            raise
        return undo

    def _delete_field(self, change: Change):
        services.delete_field(change.collection, change.field, self.identity)

    def set_groups(self, changes: list[Change]):
        """Point fields at their group fields, once every field of the plan exists: `group`
        holds the directus_fields id of the group, which only the target project knows."""
        wanted: dict[str, dict[str, str | None]] = {}
        for change in changes:
            if change.kind == COLLECTION and change.action == CREATE:
                forms = change.after["fields"]
            elif change.kind == FIELD and change.action == CREATE:
                forms = [change.after]
            elif change.kind == FIELD and change.action == UPDATE and "group" in change.after:
                forms = [{"field": change.field, "group": change.after["group"]}]
            else:
                continue
            for form in forms:
                if form.get("group") is not None or change.action == UPDATE:
                    wanted.setdefault(change.collection, {})[form["field"]] = form.get("group")
        undo = []
        for collection, groups in wanted.items():
            rows = dict(Field.objects.using(self.alias).filter(collection=collection).values_list("field", "id"))
            old = dict(Field.objects.using(self.alias).filter(collection=collection).values_list("field", "group"))
            payload = []
            for field, group in groups.items():
                if group is not None and group not in rows:
                    raise errors.InvalidRequest(f'field "{collection}.{field}": group "{group}" has no field row')
                payload.append({"field": field, "group": rows.get(group)})
            services.update_fields(collection, payload, self.identity)
            undo.append((collection, [{"field": item["field"], "group": old.get(item["field"])} for item in payload]))
        if not undo:
            return None
        return lambda: [services.update_fields(c, items, self.identity) for c, items in reversed(undo)]

    # Relations

    def _ids(self, change: Change) -> list[int]:
        rows = Relation.objects.using(self.alias).filter(collection_many=change.collection, field_many=change.field)
        return list(rows.order_by("id").values_list("id", flat=True))

    def _create_relation(self, change: Change):
        created = services.create_relations([dict(change.after)], self.identity)
        return lambda: services.delete_relations([row.pk for row in created], self.identity)

    def _update_relation(self, change: Change):
        ids = self._ids(change)
        services.update_relations(ids, dict(change.after), self.identity)
        return lambda: services.update_relations(ids, dict(change.before), self.identity)

    def _delete_relation(self, change: Change):
        services.delete_relations(self._ids(change), self.identity)
        return lambda: services.create_relations([dict(change.before)], self.identity)


def _quietly(undo) -> None:
    try:
        undo()
    except Exception:  # the failure that led here is the one to report; this one is logged
        logger.exception("Changing a field back after a failed snapshot step did not complete")


def _field_payload(form: dict) -> dict:
    """A field definition for the schema services; groups are set once all fields exist."""
    return {key: value for key, value in form.items() if key != "group"}


def _update_payload(name: str, form: dict, changed: set[str]) -> dict:
    """What to send to change a field to `form`, of which the keys `changed` differ. A column is
    described whole when anything of it changes (the services keep what a definition leaves out,
    which for another datatype may not fit); `required` and `nullable` travel together."""
    keys = set(changed) - {"group"}
    has_column = form.get("datatype") is not None
    if has_column and keys & {*COLUMN_KEYS, "type"}:
        keys |= {*COLUMN_KEYS, "required"}
    if has_column and keys & {"required", "nullable"}:
        keys |= {"required", "nullable"}
    if not has_column:
        keys -= set(COLUMN_KEYS)
    return {"field": name, **{key: form[key] for key in sorted(keys) if key in form}}
