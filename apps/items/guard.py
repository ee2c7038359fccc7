"""The checks item reads and writes pass through. `Guard` is the interface; the permission
engine answers it (apps.permissions.guard.PermissionGuard). The base class allows everything
and serves internal reads only."""

from django.db.models import Q

from apps.schema.description import CollectionInfo


class Guard:
    def statement_key(self) -> tuple:
        """What decides this guard's answers to read checks, for keeping compiled reads
        (apps/items/statements.py); the base guard answers the same to everyone."""
        return ("internal",)

    def restricted_caller(self):
        """The caller whose own-row rules apply to a write (their `user_id` and `role_id`):
        None for admins and for the server's own writes."""
        return None

    def can_read(self, collection: CollectionInfo) -> bool:
        return True

    def readable_fields(self, collection: CollectionInfo) -> set[str] | None:
        """Field names the caller may read (None: all)."""
        return None

    def filterable_fields(self, collection: CollectionInfo) -> set[str] | None:
        """Field names the caller may filter, sort and search by (None: all)."""
        return self.readable_fields(collection)

    def read_filter(self, collection: CollectionInfo) -> Q | bool | None:
        """Rows the caller may read: a Q, None for all, False for none."""
        return None

    def check_read(self, collection: CollectionInfo) -> None:
        """Raise when the caller may not read the collection at all."""

    def check_create(self, collection: CollectionInfo, payload: dict) -> None: ...

    def check_update(self, collection: CollectionInfo, current: dict, payload: dict, *, soft_delete: bool) -> None: ...

    def check_delete(self, collection: CollectionInfo, current: dict) -> None: ...
