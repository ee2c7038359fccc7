"""`/:project/webhooks` (webhooks.md): item operations on directus_webhooks. There are no default
role rows for this table, so in practice only admins get past the permission checks. The rules
of the rows live in `services.WebhookWriteHooks`; delivery in `dispatch`."""

from apps.items.system import SystemCollectionView, SystemDetailView, SystemListView

from . import services


class WebhooksBaseView(SystemCollectionView):
    collection_name = services.COLLECTION


class WebhooksView(SystemListView):
    collection_name = services.COLLECTION


class WebhookView(SystemDetailView):
    collection_name = services.COLLECTION


class WebhookRevisionsView(WebhooksBaseView):
    def get(self, request, ids: str, offset: str | None = None):
        return self.revisions_response(self.collection(), ids, offset)
