"""List and id reads of items: the query language applied to a run-time model, then the reader."""

import math
from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet

from apps.access.interface import restricted
from apps.core import errors
from apps.core.query.params import Query, check_result_size, parse_fields_param, parse_meta, parse_params
from apps.schema.compiler import check_fields, mentions_now, related_collections
from apps.schema.description import CollectionInfo
from apps.schema.project_settings import load_settings
from apps.schema.status import soft_deleted, status_mapping
from directus.conf import directus_settings

from . import querying
from .reader import ItemReader, restriction_text
from .statements import RowSource, one_of


def _meta_keys(query: dict) -> frozenset[str]:
    keys = parse_meta(query.get("meta"))
    return keys | {"status_count"} if "status" in keys else keys


def base_queryset(reader: ItemReader, collection: CollectionInfo):
    queryset = reader._related_queryset(collection)
    if queryset is None:
        return reader.schema.model(collection.name)._default_manager.none()
    return queryset.order_by()


def read_ids(
    reader: ItemReader,
    collection: CollectionInfo,
    ids: list,
    query: dict,
    *,
    hide_soft_deleted=False,
    readable=None,
    inserted: dict | None = None,
):
    """The items with these ids. `inserted` maps (collection, id) to rows just written, as the
    database returned them: with no row filter on the caller, they are not read again."""
    tree = parse_fields_param(query.get("fields"))
    check_fields(tree, collection, readable=readable, computed=reader.policy.computed.get(collection.name, {}))

    def build(keys: list) -> QuerySet:
        queryset = base_queryset(reader, collection) if hide_soft_deleted else _unfiltered(reader, collection)
        return queryset.filter(**one_of(reader.schema.alias, collection.primary_key.attname, keys))

    key = ("ids", collection.name, hide_soft_deleted, reader.restriction_key(collection.name))
    source = RowSource(key, build, list(ids))
    if inserted and not hide_soft_deleted and reader.row_filter(collection.name) is None:
        rows = [inserted.get((collection.name, pk)) for pk in ids]
        if all(row is not None for row in rows):
            source = rows
    if len(ids) == 1:  # nothing to put in order (and the items may be finished JSON)
        return _read(reader, collection, source, tree)
    items = reader.read(collection, source, tree)
    order = {value: index for index, value in enumerate(ids)}
    pk = collection.primary_key.name
    if pk in (tree.select([pk], pk) or []):
        items.sort(key=lambda item: order.get(item.get(pk), 0))
    return items


def reads_inserted_alone(reader: ItemReader, collection: CollectionInfo, query: dict) -> bool:
    """Whether `read_ids(..., inserted=rows)` of rows just inserted answers from those rows
    without a statement, so it cannot fail once they are written: the caller has no row filter,
    and nothing is expanded, computed or ruled. Raises what that read raises for the query (its
    `fields`)."""
    tree = parse_fields_param(query.get("fields"))
    check_fields(tree, collection, computed=reader.policy.computed.get(collection.name, {}))
    return reader.reads_from_rows_alone(collection, tree) and reader.row_filter(collection.name) is None


def _unfiltered(reader: ItemReader, collection: CollectionInfo):
    """Rows the reader may see, soft-deleted ones included (written items are read back so)."""
    queryset = reader.schema.model(collection.name)._default_manager.all()
    return restricted(queryset, reader.row_filter(collection.name))


def item_meta(collection: CollectionInfo, query: dict, *, many: bool) -> dict | None:
    keys = _meta_keys(query)
    if not keys:
        return None
    meta = {}
    if "collection" in keys:
        meta["collection"] = collection.name
    if "type" in keys:
        meta["type"] = "collection" if many else "item"
    return meta or None


class ListRead:
    """The rows of a list read, and the counts of its `meta` (each run when first asked for)."""

    def __init__(
        self,
        collection: CollectionInfo,
        query: Query,
        data: list[dict],
        readable: Callable[[], QuerySet],
        filtered: Callable[[], QuerySet],
        window,
    ):
        self.collection = collection
        self.query = query
        self.data = data
        self.window = window
        self._readable = readable
        self._filtered = filtered

    @cached_property
    def readable(self) -> QuerySet:
        """Every row the caller may read: what `total_count` and `status_count` count
        (deviation 20: counts never tell of rows the caller cannot read)."""
        return self._readable()

    @cached_property
    def filtered(self) -> QuerySet:
        """Rows the caller may read, after `status`, `filter` and `q`."""
        return self._filtered()

    @property
    def has_filter(self) -> bool:
        return bool(self.query.filter or self.query.q)

    @cached_property
    def total_count(self) -> int:
        """The readable rows but soft-deleted ones, whatever the query's status and filter."""
        rows = self.readable
        status = self.collection.status_field
        hidden = soft_deleted(self.collection) if status is not None else []
        if hidden:
            rows = rows.exclude(**{f"{status.attname}__in": hidden})
        return rows.count()

    @cached_property
    def filter_count(self) -> int:
        """The rows `filter` and `q` match; the total when the query has neither (query.md)."""
        return self.filtered.count() if self.has_filter else self.total_count

    def status_counts(self) -> dict[str, int]:
        """Readable rows per status, soft-deleted ones too; every mapped status appears."""
        status = self.collection.status_field
        counts = {key: 0 for key in status_mapping(self.collection)}
        rows = self.readable.order_by().values_list(status.attname).annotate(n=Count("pk"))
        for value, count in rows.values_list(status.attname, "n"):
            counts[str(value)] = count
        return counts


def run_query(
    reader: ItemReader,
    collection: CollectionInfo,
    query: Query,
    settings,
    readable,
    *,
    caller_key=None,
    scope: Q | None = None,
) -> ListRead:
    """A parsed query over one collection: checked, filtered, sorted, windowed and read.

    `caller_key` names what decides the caller's permissions (see Guard.statement_key); with it,
    the compiled statement is kept for the next identical read. `scope` narrows the rows before
    anything else (the revisions of one item), counts included."""
    check_fields(query.fields, collection, readable=readable, computed=reader.policy.computed.get(collection.name, {}))
    window = query.window(settings.get_int("default_limit", 200))
    cap = directus_settings.MAX_RESULT_ROWS
    start, stop = window.bounds(cap)

    def readable_rows() -> QuerySet:
        rows = _unfiltered(reader, collection)
        return rows if scope is None else rows.filter(scope)

    def base() -> QuerySet:
        return querying.apply_status(readable_rows(), collection, query)

    matchable = readable.for_conditions() if isinstance(readable, querying.ReadableFields) else readable

    def filtered() -> QuerySet:
        return querying.apply_filter_and_search(
            base(), collection, query, reader.schema, matchable, rows=reader.row_filter
        )

    def page(_values) -> QuerySet:
        return querying.apply_sort(filtered(), collection, query, settings, matchable)[start:stop]

    key = None
    if caller_key is not None and not mentions_now(query.filter):
        restriction = reader.restriction_key(collection.name)
        key = ("list", collection.name, caller_key, restriction, query.filter, query.q, query.status, query.sort)
        related = sorted(related_collections(query.filter, collection, reader.schema))
        key += (start, stop, tuple(reader.restriction_key(name) for name in related), restriction_text(scope))
    data = _read(reader, collection, RowSource(key, page), query.fields) if stop > start else []
    check_result_size(len(data), cap)
    return ListRead(collection, query, data, readable_rows, filtered, window)


def _read(reader: ItemReader, collection: CollectionInfo, source, tree) -> list:
    """The items, as finished JSON where the reader may and can give them so."""
    items = reader.read_json(collection, source, tree) if reader.as_json else None
    return reader.read(collection, source, tree) if items is None else items


def read_list(reader: ItemReader, collection: CollectionInfo, raw_query: dict, request, guard=None, *, scope=None):
    """(data, meta) of a list read (GET /items/:collection and the system lists)."""
    query = parse_params(raw_query)
    readable = querying.readable_map(reader.schema, guard) if guard is not None else None
    caller_key = guard.statement_key() if guard is not None else ("unguarded",)
    result = run_query(reader, collection, query, load_settings(), readable, caller_key=caller_key, scope=scope)
    if query.single:
        if not result.data:
            raise errors.ItemNotFound()
        return result.data[0], item_meta(collection, raw_query, many=False)
    return result.data, list_meta(result, raw_query, request)


def list_meta(result: ListRead, raw_query: dict, request=None) -> dict | None:
    """The `meta` object of a list (query.md § meta): only what `meta` asks for, every count
    over the rows the caller may read. `page` needs the request (its links) and a window."""
    keys = _meta_keys(raw_query)
    if not keys:
        return None
    collection = result.collection
    meta = {}
    if "collection" in keys:
        meta["collection"] = collection.name
    if "type" in keys:
        meta["type"] = "collection"
    if "result_count" in keys:
        meta["result_count"] = len(result.data)
    if "total_count" in keys:
        meta["total_count"] = result.total_count
    if "filter_count" in keys:
        meta["filter_count"] = result.filter_count
    if "status_count" in keys and collection.status_field is not None:
        meta["status_count"] = result.status_counts()
    if "page" in keys and request is not None and result.window is not None:
        meta.update(_pagination(request, result))
    return meta


def counted(collection: CollectionInfo, data: list[dict], rows: QuerySet) -> ListRead:
    """Rows read by other means (by key, or just written) as a list whose `meta` counts are
    over `rows`: it has no filter and no window (so no `page`)."""
    return ListRead(collection, Query(), data, lambda: rows, lambda: rows, window=None)


def _pagination(request, result: ListRead) -> dict:
    limit, offset, page = result.window.limit, result.window.offset, result.query.page
    size = limit if limit and limit > 0 else max(len(result.data), 1)
    page_count = max(1, math.ceil((result.filter_count or 0) / size))
    current = (offset // size) + 1 if offset is not None else (page or 1)
    current = min(max(current, 1), page_count)
    base = request.build_absolute_uri(request.path)
    # A token in the query string never goes into links that clients log and share.
    params = {key: value for key, value in request.GET.items() if key not in {"page", "offset", "access_token"}}

    def link(number):
        if number is None:
            return None
        return base + "?" + urlencode({**params, "offset": (number - 1) * size, "page": number})

    single_page = page_count == 1
    return {
        "limit": size,
        "offset": offset if offset is not None else (current - 1) * size,
        "page": current,
        "page_count": page_count,
        "links": {
            "self": base,
            "current": link(current),
            "next": link(current + 1) if current < page_count else None,
            "previous": link(current - 1) if current > 1 else None,
            "first": None if single_page else link(1),
            "last": None if single_page else link(page_count),
        },
    }
