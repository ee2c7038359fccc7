"""Keys and batches of items as callers give them: `1,2,3` in a path, the size of a batch, a
batch update whose payloads name their items by primary key.

No database and no permissions here, so every adapter may use it, and so may resources that
write their rows themselves (settings)."""

from collections.abc import Callable

from apps.core import errors
from apps.core.text import NUL
from apps.schema.datatypes import is_integer
from apps.schema.description import CollectionInfo
from directus.conf import directus_settings


def split_ids(collection: CollectionInfo, raw: str) -> list:
    """`1,2,3` → typed primary-key values (integer keys as ints)."""
    ids = [part for part in raw.split(",") if part != ""]
    if not ids:
        raise errors.ItemNotFound()
    if NUL in raw:  # no stored key holds one (apps.core.text)
        raise errors.ItemNotFound(f'Item with id "{raw}" not found')
    if is_integer(collection.primary_key.column.datatype):
        try:
            return [int(part) for part in ids]
        except ValueError:
            raise errors.ItemNotFound(f'Item with id "{raw}" not found') from None
    return ids


def check_batch(items: list) -> None:
    """A batch (of payloads or keys) holds one item at least and MAX_BATCH_ITEMS at most."""
    if not items:
        raise errors.InvalidPayload()
    if len(items) > directus_settings.MAX_BATCH_ITEMS:
        raise errors.InvalidRequest(f"A batch holds at most {directus_settings.MAX_BATCH_ITEMS} items")


def changes_by_key(
    collection: CollectionInfo, payloads: list, key_of: Callable[[object], object] | None = None
) -> list[tuple[object, dict]]:
    """A batch update's body, each payload naming its item by primary key, as (key, the rest of
    the payload) pairs. `key_of` types a key value (by default as `split_ids` does)."""
    check_batch(payloads)
    name = collection.primary_key.name
    if key_of is None:

        def key_of(value):
            return split_ids(collection, str(value))[0]

    changes = []
    for payload in payloads:
        if not isinstance(payload, dict) or payload.get(name) in (None, ""):
            raise errors.UnprocessableEntity("Payload must include the primary key")
        changes.append((key_of(payload[name]), {key: value for key, value in payload.items() if key != name}))
    return changes
