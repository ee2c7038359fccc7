"""The checks item reads and writes pass through. `Guard` is the interface the item engine asks;
the access engine answers it (apps.access.guard.PermissionGuard). The base class allows
everything and serves the server's own reads and writes.

A guard is made for one caller and never changes afterwards: what differs between two uses (an
activity comment, reading one's own user row) is given when it is made, or asked of it as a new
guard (`for_comment`)."""

from django.db.models import Q, QuerySet

from apps.schema.description import CollectionInfo


def restricted(queryset: QuerySet, restriction: Q | bool | None) -> QuerySet:
    """`queryset` narrowed to a row restriction as `Guard.read_filter` gives it: a Q, None (or
    True) for every row, False for none. The one place that value is decoded."""
    if restriction is False:
        return queryset.none()
    if restriction is None or restriction is True:
        return queryset
    return queryset.filter(restriction)


class Guard:
    def for_comment(self, comment: str | None) -> "Guard":
        """The same caller writing with an activity comment (`explain` rules ask for one)."""
        return self

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

    def restrict(self, queryset: QuerySet, collection: CollectionInfo) -> QuerySet:
        """The rows of `queryset` (of `collection`) the caller may read."""
        return restricted(queryset, self.read_filter(collection))

    def check_read(self, collection: CollectionInfo) -> None:
        """Raise when the caller may not read the collection at all."""

    def check_may_create(self, collection: CollectionInfo) -> None:
        """Raise when the caller may create no item of the collection, whatever its status."""

    def check_create(self, collection: CollectionInfo, payload: dict) -> None: ...

    def check_update(self, collection: CollectionInfo, current: dict, payload: dict, *, soft_delete: bool) -> None: ...

    def check_delete(self, collection: CollectionInfo, current: dict) -> None: ...

    def check_comment(self, collection: CollectionInfo, item: dict, action: str) -> None:
        """Raise when the caller may not `action` ("create", "update", "delete") a comment on
        the item (its stored row)."""
