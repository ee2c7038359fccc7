"""The query language applied to a list read: `filter`, `q`, `status` and `sort` over the
run-time model, with names checked against what the caller may read."""

from apps.core.query.compile import compile_filter, compile_search, compile_sort
from apps.core.query.params import ALL, Query
from apps.schema.description import CollectionInfo

from .status import soft_deleted


def readable_map(schema, guard) -> dict[str, set[str]] | None:
    """Collection -> readable field names, for every collection the caller may read (None for
    callers who may read everything)."""
    if getattr(guard, "access", None) is not None and guard.access.is_admin:
        return None
    mapping = {}
    for name, info in schema.collections.items():
        if not guard.can_read(info):
            continue
        fields = guard.readable_fields(info)
        mapping[name] = set(info.fields) if fields is None else set(fields)
    return mapping


def apply_status(queryset, collection: CollectionInfo, query: Query):
    status = collection.status_field
    if status is None:
        return queryset
    if query.status is None:
        hidden = soft_deleted(collection)
        return queryset.exclude(**{f"{status.attname}__in": hidden}) if hidden else queryset
    if query.status == ALL:
        return queryset
    return queryset.filter(**{f"{status.attname}__in": list(query.status)})


def apply_filter_and_search(queryset, collection: CollectionInfo, query: Query, schema, readable):
    condition = compile_filter(query.filter, collection, schema, readable=readable)
    searchable = None if readable is None else readable.get(collection.name, set())
    return queryset.filter(condition, compile_search(query.q, collection, fields=searchable))


def apply_sort(queryset, collection: CollectionInfo, query: Query, settings, readable):
    order = compile_sort(query.sort, collection, readable=readable, nulls_last=settings.get_bool("sort_null_last"))
    return queryset.order_by(*order)
