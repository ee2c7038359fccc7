"""Built GraphQL schemas, kept per (project, schema version, what the caller may read).

The project schema version is checked on every request (`project_schema()` reads it), so a field
added through REST, by any worker, gives a new version and the next GraphQL request builds a new
schema: built schemas are never patched. What a caller may read comes from their permission rows
(which change without a schema version), so the key also holds a signature of the readable
collections and fields: callers of roles with the same read permissions share a schema, and a
permission change simply gives a new signature.

The cache is bounded: building a schema for a newer version of a project drops that project's
older versions, and beyond DIRECTUS["GRAPHQL_SCHEMA_CACHE_SIZE"] entries the least recently used
one goes."""

import hashlib
import threading
from collections import OrderedDict

from apps.items.reader import NEVER_READ
from directus.conf import directus_settings

from .builder import BuiltSchema, build_schema

_cache: "OrderedDict[tuple, BuiltSchema]" = OrderedDict()
_lock = threading.Lock()


def visibility(project_schema, guard, computed: dict) -> dict[str, tuple[str, ...]]:
    """Collection -> readable field names, for every collection the caller may read that the
    item engine can serve (a table with a single primary key). Mirrors the reader: the read
    blacklist applies, never-read columns (passwords) are left out, computed fields follow the
    same blacklist."""
    visible = {}
    for name in sorted(project_schema.collections):
        info = project_schema.collections[name]
        if not info.table_exists or info.primary_key is None or not guard.can_read(info):
            continue
        readable = guard.readable_fields(info)
        hidden = NEVER_READ.get(name, frozenset())
        names = [field for field in info.fields if field not in hidden and (readable is None or field in readable)]
        names += [field for field in computed.get(name, ()) if field not in info.fields and readable is None]
        visible[name] = tuple(names)
    return visible


def signature(visible: dict[str, tuple[str, ...]], computed: dict[str, tuple[str, ...]]) -> str:
    return hashlib.sha256(repr((sorted(visible.items()), sorted(computed.items()))).encode()).hexdigest()


def schema_for(
    project, project_schema, visible: dict[str, tuple[str, ...]], computed: dict | None = None
) -> BuiltSchema:
    """The schema for what the caller may read (`visibility`); `computed`: collection -> names of
    computed fields (`apps.items.computed`)."""
    computed = {name: tuple(fields) for name, fields in (computed or {}).items()}
    version = project_schema.global_version
    key = (project.key, project.instance, version, signature(visible, computed))
    with _lock:
        built = _cache.get(key)
        if built is not None:
            _cache.move_to_end(key)
            return built
    built = build_schema(project_schema.collections, visible, computed)
    with _lock:
        stale = [
            k for k in _cache if k[0] == project.key and (k[1] != project.instance or (k[2] or 0) < (version or 0))
        ]
        for other in stale:
            del _cache[other]
        _cache[key] = built
        while len(_cache) > max(1, directus_settings.GRAPHQL_SCHEMA_CACHE_SIZE):
            _cache.popitem(last=False)
    return built


def cached_keys() -> list[tuple]:
    with _lock:
        return list(_cache)


def clear() -> None:
    with _lock:
        _cache.clear()
