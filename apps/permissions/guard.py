"""The item engine's `Guard`, answered by the access engine."""

from apps.items.guard import Guard

from .engine import Access


class PermissionGuard(Guard):
    def __init__(self, identity, *, comment: str | None = None):
        self.access = Access.for_identity(identity)
        self.comment = comment

    def statement_key(self) -> tuple:
        # Rules are per role; the user matters for $CURRENT_USER and reading one's own user row.
        return ("access", self.access.role_id, self.access.is_admin, self.access.user_id)

    def restricted_caller(self):
        return None if self.access.is_admin else self.access

    def can_read(self, collection) -> bool:
        return self.access.can_read(collection)

    def readable_fields(self, collection):
        return self.access.readable_fields(collection)

    def filterable_fields(self, collection):
        return self.access.filterable_fields(collection)

    def read_filter(self, collection):
        return self.access.read_filter(collection)

    def check_read(self, collection):
        self.access.check_read(collection)

    def check_create(self, collection, payload):
        self.access.check_create(collection, payload, comment=self.comment)

    def check_update(self, collection, current, payload, *, soft_delete):
        self.access.check_update(collection, current, payload, soft_delete=soft_delete, comment=self.comment)

    def check_delete(self, collection, current):
        self.access.check_delete(collection, current, comment=self.comment)
