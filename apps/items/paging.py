"""Every item a list query matches, read a page at a time: for exports, which have no `limit` and
must not hold a whole collection in memory.

    pages = ItemPages(reader, collection, query, settings, readable)
    pages.names                  # the keys of every item, in order (a CSV header)
    for page in pages: ...       # lists of at most PAGE_SIZE items, in the query's order

Pages are read by key (`key > last`) when the items are in primary-key order, so the thousandth
page costs what the first does; any other order is read by offset, with the primary key as the
tie-breaker (apps.schema.compiler.compile_sort) so the order is total. Each page is its own
statement: rows written while an export runs may show up or not, and under an order other than
the key's a row moved by a write may be read twice or missed.

The first page is read when the pages are made, so a query the list route would refuse (an
unknown field, a bad filter) is refused before anything is sent."""

from collections.abc import Iterator
from dataclasses import replace

from django.db.models import Q

from apps.core import errors
from apps.core.query.fields import FieldsTree
from apps.core.query.params import Query, SortItem
from apps.schema.description import CollectionInfo

from . import listing
from .reader import ItemReader

# Items read per statement (per relation level with nested fields).
PAGE_SIZE = 1000


class ItemPages:
    def __init__(
        self,
        reader: ItemReader,
        collection: CollectionInfo,
        query: Query,
        settings,
        readable,
        *,
        page_size: int | None = None,
    ):
        if any(item.random for item in query.sort):
            raise errors.InvalidRequest("sort: a random order cannot be read page by page")
        self.reader = reader
        self.collection = collection
        self.settings = settings
        self.readable = readable
        self.page_size = page_size or PAGE_SIZE
        self.names = reader.item_names(collection, query.fields)
        key = collection.primary_key.name
        self._descending = self._key_order(query)
        # Reading by key needs the key of each item: read along, and dropped where not asked for.
        self._drop_key = False
        tree = query.fields
        if self._descending is not None and key not in self.names:
            tree = _with_name(tree, key)
            self._drop_key = True
            if key not in reader.item_names(collection, tree):  # `-id`, or a blacklisted key
                self._descending, self._drop_key, tree = None, False, query.fields
        self.query = replace(query, fields=tree, limit=self.page_size, offset=0, page=None, single=False)
        self._first = self._read(0, None)

    def __iter__(self) -> Iterator[list[dict]]:
        page, read = self._first, 0
        while page:
            read += len(page)
            last = page[-1].get(self.collection.primary_key.name)
            if self._drop_key:
                key = self.collection.primary_key.name
                page = [{name: value for name, value in item.items() if name != key} for item in page]
            yield page
            if read % self.page_size:
                return  # a short page is the last
            page = self._read(read, last)

    def _key_order(self, query: Query) -> bool | None:
        """Whether the items come in descending key order; None when not in key order."""
        key = self.collection.primary_key.name
        sort = query.sort
        if not sort:
            default = self.collection.sort_field or self.collection.primary_key
            sort = (SortItem(default.name),)
        if len(sort) == 1 and sort[0].field == key:
            return sort[0].descending
        return None

    def _read(self, offset: int, last) -> list[dict]:
        query, scope = self.query, None
        if self._descending is None:
            query = replace(query, offset=offset)
        elif last is not None:
            attname = self.collection.primary_key.attname
            scope = Q(**{f"{attname}__lt" if self._descending else f"{attname}__gt": last})
        # No statement key: a page's SQL is not worth keeping among the reads clients repeat.
        return listing.run_query(self.reader, self.collection, query, self.settings, self.readable, scope=scope).data


def _with_name(tree: FieldsTree, name: str) -> FieldsTree:
    return replace(tree, named={**tree.named, name: tree.named.get(name)})
