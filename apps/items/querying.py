"""`filter`, `q` and `sort` of a list read, applied to a queryset of the run-time model."""

from django.db.models import F

from apps.core import errors
from apps.schema.description import CollectionInfo


def apply_filter_and_search(queryset, collection: CollectionInfo, query: dict, reader):
    return queryset


def apply_sort(queryset, collection: CollectionInfo, query: dict, settings):
    raw = query.get("sort")
    names = raw if isinstance(raw, list) else [part for part in str(raw or "").split(",") if part]
    if not names:
        default = collection.sort_field or collection.primary_key
        names = [default.name]
    nulls_last = settings.get_bool("sort_null_last")
    order = []
    for name in names:
        if name == "?":
            order.append("?")
            continue
        descending = name.startswith("-")
        info = collection.fields.get(name.lstrip("-"))
        if info is None:
            raise errors.InvalidField(f'Invalid field "{name.lstrip("-")}" in "{collection.name}"')
        if info.alias:
            raise errors.UnprocessableEntity(f'Unable to sort by "{info.name}" field because it is an alias.')
        expression = F(info.attname)
        order.append(
            expression.desc(nulls_last=nulls_last or None)
            if descending
            else expression.asc(nulls_last=nulls_last or None)
        )
    order.append(F(collection.primary_key.attname).asc())
    return queryset.order_by(*order)
