"""The callers of the matrix, and the permission rows each has on a route.

* admin — the administrator role: every check passes, permission rows are ignored.
* reader — reads every row of the route's collection, but not the fields the route names as
  `hidden` (a read blacklist); writes nothing.
* owner — creates rows, and reads, updates and deletes its own ones (`mine`): rows whose owner
  field names it, or the special owners of system collections (permissions.md § Ownership).
* none — a role without a single permission row.
* public — no token: the public role, which has no rows either.

Besides its row on the route's collection, a reader and an owner may read directus_revisions
(the revisions operation of every route needs it) and whatever the route names as its
`support` rows."""

from dataclasses import dataclass

from rest_framework.test import APIClient

from apps.permissions.models import Permission
from tests.api.users.factories import client_with_token
from tests.conftest import ADMIN_TOKEN

REVISIONS = ("directus_revisions", None, {"read": "full"})


@dataclass(frozen=True)
class Caller:
    name: str
    levels: dict | None = None  # on the route's collection; None: no rows at all
    blacklists: bool = False  # the route's `hidden` fields are on its read blacklist

    @property
    def is_admin(self) -> bool:
        return self.name == "admin"

    def client(self, world) -> APIClient:
        if self.name == "admin":
            return client_with_token(ADMIN_TOKEN)
        if self.name == "public":
            return APIClient()
        return client_with_token(world.tokens[self.name])

    def user_id(self, world) -> int:
        """The caller's user id (the public role's is 0)."""
        fixed = {"admin": 1, "public": 0}
        return fixed[self.name] if self.name in fixed else world.users[self.name]

    def rules(self, route) -> list[tuple]:
        """The caller's permission rows on `route`: (collection, status, values). Where two
        rows name one collection the first wins: on the revisions route, its own."""
        if self.levels is None:
            return []
        levels = route.levels.get(self.name, self.levels)
        own = {**levels, "read_field_blacklist": list(route.hidden) if self.blacklists else []}
        return [(route.collection, None, own), *route.support.get(self.name, ()), REVISIONS]

    def grant(self, world, route) -> None:
        """Give the caller's role its rows for `route` (the world's roles have none; each test
        grants inside its own rolled-back transaction)."""
        if self.levels is None:
            return
        for collection, status, values in self.rules(route):
            Permission.objects.create(role=world.roles[self.name], collection=collection, status=status, **values)


ADMIN = Caller("admin")
READER = Caller("reader", {"read": "full"}, blacklists=True)
OWNER = Caller("owner", {"create": "full", "read": "mine", "update": "mine", "delete": "mine"})
NONE = Caller("none")
PUBLIC = Caller("public")
CALLERS = (ADMIN, READER, OWNER, NONE, PUBLIC)
