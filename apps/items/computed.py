"""Computed alias fields of collections, e.g. the `data` object of directus_files.

An app registers a factory once (in its AppConfig.ready); the item engine asks for the fields
of a request and hands them to the reader (`ReadPolicy.computed`):

    register("directus_files", "data", lambda request: lambda row: {...})
"""

from collections.abc import Callable

# collection -> field -> factory(request) -> function(row dict) -> value
_registry: dict[str, dict[str, Callable]] = {}


def register(collection: str, name: str, factory: Callable) -> None:
    _registry.setdefault(collection, {})[name] = factory


def computed_fields(request) -> dict[str, dict[str, Callable[[dict], object]]]:
    """The computed fields for one request, each factory called once."""
    return {
        collection: {name: factory(request) for name, factory in fields.items()}
        for collection, fields in _registry.items()
    }
