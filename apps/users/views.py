"""`/:project/users` (users.md). For now only `GET /users/me`; list, CRUD, invite, 2FA and
tracking routes are added next to it as more views of this module."""

from apps.core.expand import RowShaper, build_meta
from apps.core.query.fields import parse_fields
from apps.core.views import DirectusView

from . import services


class UsersBaseView(DirectusView):
    collection = services.COLLECTION

    def shape(self, rows: list[dict]) -> list[dict]:
        """Apply `fields` (`*`, names, `role.*`, `*.*`, `avatar.*`, `-name`) to user rows."""
        shaper = RowShaper(self.request)
        return shaper.shape(self.collection, rows, parse_fields(self.query.get("fields")))

    def item_meta(self):
        return build_meta(self.query.get("meta"), collection=self.collection, single=True)


class UserDetailView(UsersBaseView):
    """`/users/:id`; `:id` is `me` (the caller). Numeric ids arrive with the users CRUD."""

    def get(self, request, pk: str):
        user_id = services.resolve_id(request.user, pk)
        (item,) = self.shape([services.user_row(user_id)])
        return self.respond(item, meta=self.item_meta())
