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

from apps.core.versioned_cache import VersionedCache
from apps.items.reader import visible_fields
from directus.conf import directus_settings

from .builder import BuiltSchema, build_schema

_schemas = VersionedCache(lambda: directus_settings.GRAPHQL_SCHEMA_CACHE_SIZE)


def visibility(project_schema, guard, computed: dict) -> dict[str, tuple[str, ...]]:
    """Collection -> readable field names (computed fields included), as the reader serves them."""
    return visible_fields(project_schema.collections, guard, computed)


def signature(visible: dict[str, tuple[str, ...]], computed: dict[str, tuple[str, ...]]) -> str:
    return hashlib.sha256(repr((sorted(visible.items()), sorted(computed.items()))).encode()).hexdigest()


def schema_for(
    project, project_schema, visible: dict[str, tuple[str, ...]], computed: dict | None = None
) -> BuiltSchema:
    """The schema for what the caller may read (`visibility`); `computed`: collection -> names of
    computed fields (`apps.items.computed`)."""
    computed = {name: tuple(fields) for name, fields in (computed or {}).items()}
    return _schemas.get_or_build(
        project,
        project_schema.global_version,
        (signature(visible, computed),),
        lambda: build_schema(project_schema.collections, visible, computed),
    )


def cached_keys() -> list[tuple]:
    return _schemas.keys()


def clear() -> None:
    _schemas.clear()
