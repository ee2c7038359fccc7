"""The query language applied to a list read: `filter`, `q`, `status` and `sort` over the
run-time model, with names checked against what the caller may read."""

from collections.abc import Mapping

from apps.core.query.params import ALL, Query
from apps.core.text import NUL
from apps.schema.compiler import compile_filter, compile_search, compile_sort
from apps.schema.description import CollectionInfo
from apps.schema.status import soft_deleted

from .reader import NEVER_READ


class ReadableFields(Mapping):
    """Collection -> the field names the caller may name in `filter`, `sort` and `q`, computed
    for a collection only when a query reaches it. Collections the caller may not read are
    absent. Never-read columns (directus_users.password) are absent for everyone, admins too."""

    def __init__(self, schema, guard, *, conditions: bool = False):
        self.schema = schema
        self.guard = guard
        # For filters and sorts: the names the guard lets the caller match against, which may
        # be fewer than those it may read (apps.access.engine.UNFILTERABLE).
        self.conditions = conditions
        self._known: dict[str, frozenset[str] | None] = {}

    def for_conditions(self) -> "ReadableFields":
        return self if self.conditions else ReadableFields(self.schema, self.guard, conditions=True)

    def _fields(self, name: str) -> frozenset[str] | None:
        if name not in self._known:
            info = self.schema.collection(name)
            if info is None or not self.guard.can_read(info):
                self._known[name] = None
            else:
                fields = self.guard.filterable_fields(info) if self.conditions else self.guard.readable_fields(info)
                names = set(info.fields) if fields is None else set(fields)
                self._known[name] = frozenset(names - NEVER_READ.get(name, frozenset()))
        return self._known[name]

    def __contains__(self, name) -> bool:
        return self._fields(name) is not None

    def __getitem__(self, name: str) -> frozenset[str]:
        fields = self._fields(name)
        if fields is None:
            raise KeyError(name)
        return fields

    def __iter__(self):
        return (name for name in self.schema.collections if name in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def readable_map(schema, guard) -> ReadableFields:
    return ReadableFields(schema, guard)


def apply_status(queryset, collection: CollectionInfo, query: Query):
    status = collection.status_field
    if status is None:
        return queryset
    if query.status is None:
        hidden = soft_deleted(collection)
        return queryset.exclude(**{f"{status.attname}__in": hidden}) if hidden else queryset
    if query.status == ALL:
        return queryset
    wanted = [value for value in query.status if NUL not in value]  # a NUL names no status
    return queryset.filter(**{f"{status.attname}__in": wanted})


def apply_filter_and_search(queryset, collection: CollectionInfo, query: Query, schema, readable, rows=None):
    """`rows(name)`: the caller's row restriction on a collection the filter reaches through a
    relation (see compile_filter)."""
    condition = compile_filter(query.filter, collection, schema, readable=readable, rows=rows)
    searchable = None if readable is None else readable.get(collection.name, set())
    return queryset.filter(condition, compile_search(query.q, collection, fields=searchable))


def apply_sort(queryset, collection: CollectionInfo, query: Query, settings, readable):
    order = compile_sort(query.sort, collection, readable=readable, nulls_last=settings.get_bool("sort_null_last"))
    return queryset.order_by(*order)
