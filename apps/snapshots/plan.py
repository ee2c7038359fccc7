"""What applying a snapshot changes: the difference between the project's snapshot and the
wanted one, as an ordered list of changes, and the checks a whole plan must pass before its
first change runs. Plain functions of two snapshots; nothing here reads a database.

Changes come in the order they are applied:

1. new collections, each with all its fields;
2. collection metadata, new fields and changed fields;
3. new and changed relations;
4. what destroys: relations, then fields (and fields that become aliases, losing their column),
   then collections.
"""

import json
from dataclasses import dataclass

from apps.core import errors
from apps.schema.definitions import check_collection_fields, check_unique_system_types, parse_field
from apps.schema.description import RESTRICTED_RELATION_TARGETS

from .canonical import COLLECTION_DEFAULTS, COLUMN_KEYS, as_reported
from .document import Snapshot

CREATE, UPDATE, DELETE = "create", "update", "delete"
COLLECTION, FIELD, RELATION = "collection", "field", "relation"


@dataclass(frozen=True)
class Change:
    action: str  # create, update, delete
    kind: str  # collection, field, relation
    collection: str  # for a relation: its collection_many
    field: str | None = None  # for a relation: its field_many
    before: dict | None = None  # update: the changed keys as they are; delete: the whole object
    after: dict | None = None  # update: the changed keys as they become; create: the whole object

    def as_dict(self) -> dict:
        return {
            "action": self.action,
            "kind": self.kind,
            "collection": self.collection,
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }

    @property
    def drops_column(self) -> bool:
        """Whether the change takes a column (or a table) with the values it holds."""
        if self.kind == COLLECTION:
            return self.action == DELETE
        if self.kind != FIELD:
            return False
        if self.action == DELETE:
            return "datatype" in self.before
        return self.action == UPDATE and self.before.get("datatype") is not None and self.after.get("datatype") is None

    @property
    def destroys(self) -> bool:
        """Whether the change removes something (run last: after it, nothing can fail)."""
        return self.action == DELETE or self.drops_column

    def line(self) -> str:
        sign = {CREATE: "+", UPDATE: "~", DELETE: "-"}[self.action]
        name = self.collection if self.kind == COLLECTION else f"{self.collection}.{self.field}"
        text = f"{sign} {self.kind} {name}"
        if self.action == UPDATE:
            changed = ", ".join(f"{key} {_shown(self.before[key])} -> {_shown(self.after[key])}" for key in self.before)
            return f"{text}: {changed}"
        whole = self.after if self.action == CREATE else self.before
        if self.kind == COLLECTION and self.action == CREATE:
            return f"{text} ({len(whole['fields'])} fields)"
        if self.kind == FIELD:
            return f"{text} ({_field_summary(whole)})"
        if self.kind == RELATION and whole.get("collection_one"):
            target = whole["collection_one"] + (f".{whole['field_one']}" if whole.get("field_one") else "")
            return f"{text} -> {target}"
        return text


def _shown(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _field_summary(form: dict) -> str:
    if form.get("datatype") is None:
        return form["type"]
    length = f"({form['length']})" if form.get("length") is not None else ""
    return f"{form['type']} {form['datatype']}{length}"


# The difference ------------------------------------------------------------------------------


def diff(current: Snapshot, desired: Snapshot, vendor: str) -> list[Change]:
    """The changes that make `current` (a project on `vendor`) what `desired` says."""
    created, updated, dropped_relations, dropped_fields, dropped_collections = [], [], [], [], []
    for name, wanted in sorted(desired.collections.items()):
        existing = current.collections.get(name)
        if existing is None:
            after = {**wanted, "fields": list(wanted["fields"].values())}
            created.append(Change(CREATE, COLLECTION, name, after=after))
            continue
        changed = _changed(
            {key: existing[key] for key in COLLECTION_DEFAULTS}, {key: wanted[key] for key in COLLECTION_DEFAULTS}
        )
        if changed:
            updated.append(Change(UPDATE, COLLECTION, name, before=changed[0], after=changed[1]))
        for field, form in wanted["fields"].items():
            have = existing["fields"].get(field)
            if have is None:
                updated.append(Change(CREATE, FIELD, name, field, after=form))
                continue
            changed = _changed(have, as_reported(form, vendor), shown=form)
            if changed:
                change = Change(UPDATE, FIELD, name, field, before=changed[0], after=changed[1])
                (dropped_fields if change.drops_column else updated).append(change)
        for field, have in existing["fields"].items():
            if field not in wanted["fields"]:
                dropped_fields.append(Change(DELETE, FIELD, name, field, before=have))
    for name, existing in sorted(current.collections.items()):
        if name not in desired.collections:
            before = {**existing, "fields": list(existing["fields"].values())}
            dropped_collections.append(Change(DELETE, COLLECTION, name, before=before))

    relations = []
    for key, wanted in sorted(desired.relations.items()):
        existing = current.relations.get(key)
        if existing is None:
            relations.append(Change(CREATE, RELATION, *key, after=wanted))
        elif changed := _changed(existing, wanted):
            relations.append(Change(UPDATE, RELATION, *key, before=changed[0], after=changed[1]))
    for key, existing in sorted(current.relations.items()):
        if key not in desired.relations:
            dropped_relations.append(Change(DELETE, RELATION, *key, before=existing))
    return [*created, *updated, *relations, *dropped_relations, *dropped_fields, *dropped_collections]


def _changed(have: dict, want: dict, shown: dict | None = None) -> tuple[dict, dict] | None:
    """The keys whose values differ: (as they are, as they become), or None."""
    shown = want if shown is None else shown
    keys = [key for key in dict.fromkeys([*have, *want]) if have.get(key) != want.get(key)]
    if not keys:
        return None
    return {key: have.get(key) for key in keys}, {key: shown.get(key) for key in keys}


# Checks of a whole plan ----------------------------------------------------------------------


def check(current: Snapshot, desired: Snapshot, vendor: str, system: set[str]) -> None:
    """Refuse a plan that the schema services would refuse halfway: every rule they apply is
    checked here first, so that nothing is changed by a plan that cannot be carried out.
    `system` names the system collections of the project (relations may point at them)."""
    for name, collection in desired.collections.items():
        definitions = [parse_field(_definition(form)) for form in collection["fields"].values()]
        if name in current.collections:
            check_unique_system_types(definitions)
            _check_primary_key(name, current.collections[name], collection, vendor)
        else:
            _located(f'collection "{name}"', check_collection_fields, definitions)
        for form in collection["fields"].values():
            group = form.get("group")
            if group is not None and group not in collection["fields"]:
                raise errors.InvalidRequest(f'field "{name}.{form["field"]}": group "{group}" is no field of "{name}"')
    for relation in desired.relations.values():
        _check_relation(relation, desired, system)


def _definition(form: dict) -> dict:
    return {key: value for key, value in form.items() if key != "group"}


def _check_primary_key(name: str, current: dict, desired: dict, vendor: str) -> None:
    have = [form for form in current["fields"].values() if form.get("primary_key")]
    want = [form for form in desired["fields"].values() if form.get("primary_key")]
    same = len(have) == len(want) and all(
        old["field"] == new["field"] and all(old[key] == as_reported(new, vendor)[key] for key in COLUMN_KEYS)
        for old, new in zip(have, want, strict=False)
    )
    if not same:
        named = f' "{have[0]["field"]}"' if have else ""
        raise errors.InvalidRequest(f'collection "{name}": its primary key{named} cannot be changed by a snapshot')


def _check_relation(relation: dict, desired: Snapshot, system: set[str]) -> None:
    place = f'relation "{relation["collection_many"]}.{relation["field_many"]}"'
    many = desired.collections.get(relation["collection_many"])
    if many is None:
        raise errors.InvalidRequest(f'{place}: collection "{relation["collection_many"]}" is not in the snapshot')
    if relation["field_many"] not in many["fields"]:
        raise errors.InvalidRequest(f'{place}: field "{relation["field_many"]}" is not in the snapshot')
    if relation["junction_field"] is not None and relation["junction_field"] not in many["fields"]:
        raise errors.InvalidRequest(f'{place}: junction field "{relation["junction_field"]}" is not in the snapshot')
    one = relation["collection_one"]
    if one is None:
        return
    if one in RESTRICTED_RELATION_TARGETS:
        raise errors.InvalidRequest(f'{place}: relations to "{one}" are not allowed')
    if one in desired.collections:
        if relation["field_one"] is not None and relation["field_one"] not in desired.collections[one]["fields"]:
            raise errors.InvalidRequest(f'{place}: field "{one}.{relation["field_one"]}" is not in the snapshot')
    elif one not in system:
        raise errors.InvalidRequest(f'{place}: collection "{one}" is neither in the snapshot nor a system collection')


def _located(place: str, check_rule, *args) -> None:
    try:
        check_rule(*args)
    except errors.DirectusError as exc:
        raise type(exc)(f"{place}: {exc.message}") from None
