"""All list parameters of query.md parsed into one plain `Query`. No schema, no SQL.

    query = parse_params(parse_query(request.GET))      # apps.core.querystring.parse_query
    start, stop = query.window(default_limit=settings_default_limit).bounds()

What is checked here (everything that needs no schema): operators (`214`), malformed values,
numbers, `in` list sizes and relational depth (`4`). Field names, types and permissions need the
schema: see apps.schema.compiler.

Where the result cap lives: `limit` is parsed as given (`-1`, or above MAX_RESULT_ROWS, are both
valid requests); the reader slices with `Window.bounds()`, at most MAX_RESULT_ROWS + 1 rows, and
`check_result_size` answers `422` code `12` when more than MAX_RESULT_ROWS came back — an error,
never a silently short list (apps.items.listing). A `limit=-1` over a small collection is fine.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from apps.core import errors
from directus.conf import directus_settings

from .fields import FieldsTree, parse_fields, split_entries
from .filters import Node, parse_filter

ALL = "*"

# Output keys of `meta` (query.md § meta); `status` is accepted for `status_count`.
META_KEYS = ("collection", "type", "result_count", "total_count", "filter_count", "status_count", "page")
_META_ALIASES = {"status": "status_count"}

# Offsets and pages beyond this are refused rather than sent to the database (SQLite's limit).
_MAX_NUMBER = 2**62
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


@dataclass(frozen=True)
class SortItem:
    field: str  # "?" for random
    descending: bool = False

    @property
    def random(self) -> bool:
        return self.field == "?"


@dataclass(frozen=True)
class Window:
    """Rows to read: `limit` None means no limit (`-1`)."""

    limit: int | None
    offset: int = 0

    def bounds(self, cap: int | None = None) -> tuple[int, int]:
        """(start, stop) for slicing: at most cap + 1 rows, so an oversized result shows."""
        cap = directus_settings.MAX_RESULT_ROWS if cap is None else cap
        if self.limit is None:
            return 0, cap + 1
        return self.offset, self.offset + min(self.limit, cap + 1)


def check_result_size(count: int, cap: int | None = None) -> None:
    cap = directus_settings.MAX_RESULT_ROWS if cap is None else cap
    if count > cap:
        raise errors.UnprocessableEntity(f"The result is larger than {cap} rows; use limit and offset")


@dataclass
class Query:
    fields: FieldsTree = field(default_factory=lambda: parse_fields(None))
    filter: Node | None = None
    sort: tuple[SortItem, ...] = ()  # empty: the collection's default
    limit: int | None = None  # None: not given; -1: no limit
    offset: int | None = None
    page: int | None = None
    single: bool = False
    meta: frozenset[str] = frozenset()
    q: str | None = None
    status: tuple[str, ...] | str | None = None  # None: not given; "*": every status
    lang: tuple[str, ...] | str | None = None  # None: not given; "*": every language

    def window(self, default_limit: int | None = None) -> Window:
        """LIMIT/OFFSET of query.md: `single` forces 1; no `limit` means the `default_limit`
        setting (20 when empty); `-1` is no limit and ignores `offset`; `page` (1-based) gives
        the offset only with an explicit `limit` and no `offset`."""
        explicit = self.single or self.limit is not None
        if self.single:
            limit = 1
        elif self.limit is not None:
            limit = self.limit
        else:
            limit = default_limit or 20
        if limit < 0:
            return Window(None, 0)
        if self.offset is not None:
            offset = self.offset
        elif self.page is not None and explicit:
            offset = limit * (self.page - 1)
            if offset > _MAX_NUMBER:
                # Each number is in range, their product may not be (what the database takes).
                raise errors.InvalidRequest("page: This value is too large for this limit.")
        else:
            offset = 0
        return Window(limit, max(offset, 0))


# Parsing ---------------------------------------------------------------------------------------


def parse_params(params: Mapping) -> Query:
    """Every list parameter of `params` (a dict from apps.core.querystring.parse_query)."""
    limit = parse_int(params.get("limit"), "limit")
    if limit is not None and limit < -1:
        raise errors.InvalidRequest("limit: must be -1 (no limit), 0 or more")
    return Query(
        fields=parse_fields_param(params.get("fields")),
        filter=parse_filter(params.get("filter")),
        sort=parse_sort(params.get("sort")),
        limit=limit,
        offset=parse_int(params.get("offset"), "offset"),
        page=parse_int(params.get("page"), "page"),
        single=parse_single(params.get("single")),
        meta=parse_meta(params.get("meta")),
        q=parse_q(params.get("q")),
        status=parse_csv(params.get("status")),
        lang=parse_csv(params.get("lang")),
    )


def parse_int(value, name: str) -> int | None:
    """An integer parameter; absent or empty is None, anything but an integer is `4`."""
    if value is None or value == "":
        return None
    if not isinstance(value, str | int) or isinstance(value, bool) or not _INTEGER.fullmatch(str(value)):
        raise errors.InvalidRequest(f"{name}: This value should be of type integer.")
    number = int(str(value))
    if abs(number) > _MAX_NUMBER:
        raise errors.InvalidRequest(f"{name}: This value is too large.")
    return number


def parse_fields_param(value, *, max_depth: int | None = None) -> FieldsTree:
    tree = parse_fields(value)
    max_depth = directus_settings.MAX_RELATIONAL_DEPTH if max_depth is None else max_depth
    if tree.depth() > max_depth:
        raise errors.InvalidRequest(f"fields: relational depth {tree.depth()} is more than the limit of {max_depth}")
    return tree


def parse_sort(value) -> tuple[SortItem, ...]:
    """CSV or array; `-name` descending, `?` random; empty entries dropped."""
    items = []
    for entry in _entries(value, "sort"):
        descending = entry.startswith("-")
        name = entry[1:].strip() if descending else entry
        if not name:
            continue
        items.append(SortItem("?", False) if name == "?" else SortItem(name, descending))
    return tuple(items)


def parse_single(value) -> bool:
    """`1`/`true` (anything PHP's json_decode finds truthy) fetch one object; `0`/`false` and
    anything else are ignored."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return value is True
    text = str(value).strip().lower()
    if text in ("", "0", "false", "null"):
        return False
    if text == "true":
        return True
    try:
        return float(text) != 0
    except ValueError:
        return False


def parse_meta(value) -> frozenset[str]:
    """Requested meta keys, normalised to META_KEYS (`*` is all; unknown keys are dropped)."""
    keys = set()
    for entry in _entries(value, "meta"):
        if entry == ALL:
            keys.update(META_KEYS)
            continue
        entry = _META_ALIASES.get(entry, entry)
        if entry in META_KEYS:
            keys.add(entry)
    return frozenset(keys)


def parse_q(value) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise errors.InvalidRequest("q: must be a string")
    return value


def parse_csv(value, name: str = "status") -> tuple[str, ...] | str | None:
    """`status` / `lang`: None when absent or empty, ALL when it contains `*`, else the values."""
    entries = _entries(value, name)
    if not entries:
        return None
    if ALL in entries:
        return ALL
    return tuple(dict.fromkeys(entries))


def _entries(value, name: str) -> list[str]:
    if isinstance(value, Mapping) and not all(str(key).isdigit() for key in value):
        raise errors.InvalidRequest(f"{name}: must be a list of values")
    return split_entries(value)
