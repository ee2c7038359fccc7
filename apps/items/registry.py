"""What the apps above the item engine add to it. Each app registers its collection rules from its
`AppConfig.ready()`, so the engine names no app above it and a new rule is one call:

    register_write_hooks("directus_users", UserWriteHooks())    # rules around every write of a row
    register_item_rule("directus_users", hide_private_fields)   # a per-row rule on every read
    register_listener(listener)                                 # item events (webhooks)
    computed.register("directus_files", "data", factory)        # computed alias fields

Configuration rows that workers cache (settings, roles, permissions, webhooks) register with
`apps.schema.cache.watch_config`, a layer below, since schema changes move the same version."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .hooks import NO_HOOKS, NotItemWritable, WriteHooks

# Rows only their own services write (the audit log, schema metadata, settings, sessions): an
# item write naming them, nested ones included, is refused unless an app registers hooks of its own.
OWN_ROUTE_ONLY = frozenset(
    {
        "directus_activity",
        "directus_revisions",
        "directus_collections",
        "directus_fields",
        "directus_relations",
        "directus_settings",
        "directus_user_sessions",
        "directus_migrations",
    }
)
_NOT_ITEM_WRITABLE = NotItemWritable()

_write_hooks: dict[str, WriteHooks] = {}


def register_write_hooks(collection: str, hooks: WriteHooks) -> None:
    _write_hooks[collection] = hooks


def write_hooks(collection: str) -> WriteHooks:
    hooks = _write_hooks.get(collection)
    if hooks is not None:
        return hooks
    return _NOT_ITEM_WRITABLE if collection in OWN_ROUTE_ONLY else NO_HOOKS


@dataclass(frozen=True)
class ItemRule:
    """`rule(row, item, policy)` may remove keys from `item`; `columns` names what it reads from
    `row` besides the primary key."""

    rule: Callable
    columns: tuple[str, ...] = ()


_item_rules: dict[str, ItemRule] = {}


def register_item_rule(collection: str, rule: Callable, *, columns: tuple[str, ...] = ()) -> None:
    _item_rules[collection] = ItemRule(rule, tuple(columns))


def item_rule(collection: str) -> ItemRule | None:
    return _item_rules.get(collection)


class ItemListener(Protocol):
    """Item events (`item.create|update|delete:after`). `wants` is asked for every written item
    (keep it cheap); `__call__(event)` runs inside the transaction that writes the item, so what
    it records (a queued delivery) commits or rolls back with it: no slow work there."""

    def wants(self, alias: str, collection: str, action: str) -> bool: ...

    def __call__(self, event) -> None: ...


_listeners: list[ItemListener] = []


def register_listener(listener: ItemListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def listeners() -> tuple[ItemListener, ...]:
    return tuple(_listeners)
