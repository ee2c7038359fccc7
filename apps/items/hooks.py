"""The rules a collection adds around every write of its items (`WriteHooks`), whichever route or
nested write it comes from. Apps register theirs from `AppConfig.ready()` (apps.items.registry)."""

from typing import TYPE_CHECKING

from apps.core import errors
from apps.schema.description import CollectionInfo

if TYPE_CHECKING:
    from .services import ItemWriter


class WriteHooks:
    """Called inside the writer's transaction, after the permission check of the operation.
    `before_*` may raise, and return the payload to write (with values added or changed).

    They hold the rules of a collection's rows, so a row written as a nested object of another
    collection's payload obeys the same rules as one written through its own route."""

    # False: writes of these rows leave no activity and no revisions.
    keeps_history = True

    def before_create(self, writer: "ItemWriter", collection: CollectionInfo, payload: dict) -> dict:
        return payload

    def after_create(self, writer: "ItemWriter", collection: CollectionInfo, pk, payload: dict) -> None:
        pass

    def before_update(self, writer: "ItemWriter", collection: CollectionInfo, pk, current: dict, payload: dict) -> dict:
        return payload

    def after_update(self, writer: "ItemWriter", collection: CollectionInfo, pk, current: dict, payload: dict) -> None:
        pass

    def before_delete(self, writer: "ItemWriter", collection: CollectionInfo, pk, current: dict) -> None:
        pass

    def after_delete(self, writer: "ItemWriter", collection: CollectionInfo, pk, current: dict) -> None:
        pass


class NotItemWritable(WriteHooks):
    """Rows that no item write may touch: their own routes write them through their own
    services (comments, schema changes, settings, logins), never through the item writer, so a
    nested object naming them is refused whoever the caller."""

    def before_create(self, writer, collection, payload):
        raise errors.CreateDenied(self._message(collection))

    def before_update(self, writer, collection, pk, current, payload):
        raise errors.UpdateDenied(self._message(collection))

    def before_delete(self, writer, collection, pk, current):
        raise errors.DeleteDenied(self._message(collection))

    def _message(self, collection: CollectionInfo) -> str:
        return f'Items of "{collection.name}" are written through their own endpoint only'


# No rules beyond the permission checks (collections without hooks).
NO_HOOKS = WriteHooks()
