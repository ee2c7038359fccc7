"""`/:project/webhooks` (webhooks.md): item operations on directus_webhooks. There are no default
role rows for this table, so in practice only admins get past the permission checks. The rules
of the rows live in `services.WebhookWriteHooks`; delivery in `dispatch`."""

from apps.core import errors
from apps.items import listing
from apps.items.system import SystemCollectionView, SystemDetailView, SystemListView
from apps.items.views import split_ids
from apps.revisions.models import Revision
from apps.schema.cache import project_schema

from . import services


class WebhooksBaseView(SystemCollectionView):
    collection_name = services.COLLECTION


class WebhooksView(SystemListView):
    collection_name = services.COLLECTION


class WebhookView(SystemDetailView):
    collection_name = services.COLLECTION


class WebhookRevisionsView(WebhooksBaseView):
    def get(self, request, ids: str, offset: str | None = None):
        identity = request.user
        if identity.is_public:
            raise errors.Unauthorized()
        info = self.collection()
        guard = self.guard()
        pk = split_ids(info, ids)[0]
        # Revisions of a webhook the caller may not read look like a missing webhook.
        if not guard.can_read(info) or not listing.read_ids(self.reader(guard), info, [pk], {"fields": "id"}):
            raise errors.ItemNotFound(f'Item with id "{ids}" not found')
        revisions = project_schema().collection("directus_revisions")
        if revisions is not None:
            guard.check_read(revisions)
        rows = Revision.objects.filter(collection=services.COLLECTION, item=str(pk)).order_by("id")
        if offset is None:
            return self.respond([listing.revision_object(row) for row in rows])
        if not offset.lstrip("-").isdigit():
            raise errors.InvalidRequest("offset: must be a number")
        position = int(offset)
        row = rows[position] if 0 <= position < rows.count() else None
        if row is None:
            raise errors.ItemNotFound("Revision not found")
        return self.respond(listing.revision_object(row))
