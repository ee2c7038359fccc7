"""The checks item reads and writes pass through. `Guard` is the interface the permission
engine implements; until it is wired in, `AdminOnlyGuard` keeps every collection closed to
everyone but administrators (security by default: nothing is open unless permitted)."""

from django.db.models import Q

from apps.core import errors
from apps.schema.description import CollectionInfo


class Guard:
    def readable_fields(self, collection: CollectionInfo) -> set[str] | None:
        """Field names the caller may read (None: all)."""
        return None

    def read_filter(self, collection: CollectionInfo) -> Q | bool | None:
        """Rows the caller may read: a Q, None for all, False for none."""
        return None

    def check_read(self, collection: CollectionInfo) -> None:
        """Raise when the caller may not read the collection at all."""

    def check_create(self, collection: CollectionInfo, payload: dict) -> None: ...

    def check_update(self, collection: CollectionInfo, current: dict, payload: dict, *, soft_delete: bool) -> None: ...

    def check_delete(self, collection: CollectionInfo, current: dict) -> None: ...


class AdminOnlyGuard(Guard):
    def __init__(self, identity):
        self.identity = identity
        self.is_admin = bool(getattr(identity, "is_admin", False))

    def _deny(self, error):
        if self.is_admin:
            return
        if self.identity is None or self.identity.is_public:
            raise errors.Unauthorized()
        raise error

    def read_filter(self, collection):
        return None if self.is_admin else False

    def check_read(self, collection):
        self._deny(errors.ReadDenied(f'Reading items from "{collection.name}" collection was denied'))

    def check_create(self, collection, payload):
        self._deny(errors.CreateDenied(f'Creating items in "{collection.name}" collection was denied'))

    def check_update(self, collection, current, payload, *, soft_delete):
        self._deny(errors.UpdateDenied(f'Updating items in "{collection.name}" collection was denied'))

    def check_delete(self, collection, current):
        self._deny(errors.DeleteDenied(f'Deleting items from "{collection.name}" collection was denied'))
