"""The item engine's `Guard`, answered by the access engine."""

import copy

from .engine import Access
from .interface import Guard


class PermissionGuard(Guard):
    """The guard of one caller. `comment` is the activity comment their writes carry (`explain`
    rules ask for one); `own_user_row` opens the caller's own directus_users row, private
    columns included, to a read or write of that row only (see apps.schema.user_columns.PRIVATE)."""

    def __init__(self, identity, *, comment: str | None = None, own_user_row: bool = False):
        self._access = Access.for_identity(identity, own_user_row=own_user_row)
        self._comment = comment

    def for_comment(self, comment: str | None) -> "PermissionGuard":
        guard = copy.copy(self)  # the same caller and rules: an Access never changes once made
        guard._comment = comment
        return guard

    def statement_key(self) -> tuple:
        # Rules are per role; the user matters for $CURRENT_USER and reading one's own user row.
        access = self._access
        return ("access", access.role_id, access.is_admin, access.user_id, access.own_user_row)

    def restricted_caller(self):
        return None if self._access.is_admin else self._access

    def can_read(self, collection) -> bool:
        return self._access.can_read(collection)

    def readable_fields(self, collection):
        return self._access.readable_fields(collection)

    def filterable_fields(self, collection):
        return self._access.filterable_fields(collection)

    def read_filter(self, collection):
        return self._access.read_filter(collection)

    def check_read(self, collection):
        self._access.check_read(collection)

    def check_may_create(self, collection):
        self._access.check_may_create(collection)

    def check_create(self, collection, payload):
        self._access.check_create(collection, payload, comment=self._comment)

    def check_update(self, collection, current, payload, *, soft_delete):
        self._access.check_update(collection, current, payload, soft_delete=soft_delete, comment=self._comment)

    def check_delete(self, collection, current):
        self._access.check_delete(collection, current, comment=self._comment)

    def check_comment(self, collection, item, action):
        self._access.check_comment(collection, item, action)
