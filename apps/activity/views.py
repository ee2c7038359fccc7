"""`/:project/activity`: the audit log, and comments on items."""

from django.utils import timezone

from apps.core import errors
from apps.items.keys import split_ids
from apps.items.system import SystemCollectionView
from apps.schema.cache import project_schema

from .models import Action, Activity

COLLECTION = "directus_activity"


class ActivityListView(SystemCollectionView):
    collection_name = COLLECTION

    def get(self, request):
        return self.list_response(self.collection())


class ActivityDetailView(SystemCollectionView):
    collection_name = COLLECTION

    def get(self, request, ids: str):
        return self.ids_response(self.collection(), ids)


def _require_user(identity) -> None:
    if identity is None or identity.is_public:
        raise errors.Unauthorized()


class CommentCreateView(SystemCollectionView):
    collection_name = COLLECTION

    def post(self, request):
        _require_user(request.user)
        body = request.data
        if not isinstance(body, dict):
            raise errors.InvalidPayload()
        collection, item, comment = body.get("collection"), body.get("item"), body.get("comment")
        for name, value in (("collection", collection), ("item", item), ("comment", comment)):
            if value in (None, ""):
                raise errors.InvalidRequest(f"{name}: This value should not be blank.")
        target = project_schema().collection(str(collection))
        if target is None or not target.table_exists or target.primary_key is None:
            raise errors.CollectionNotFound(f"Unable to find collection: {collection}")
        key = split_ids(target, str(item))[0]
        activity_id = self.service().comment(target, key, str(comment))
        return self.ids_response(self.collection(), str(activity_id))


class CommentDetailView(SystemCollectionView):
    collection_name = COLLECTION

    def _comment(self, ids: str, action: str) -> Activity:
        _require_user(self.request.user)
        row = Activity.objects.filter(pk=int(ids) if ids.isdigit() else -1, action=Action.COMMENT).first()
        if row is None:
            raise errors.ItemNotFound(f'Comment "{ids}" not found')
        target = project_schema().collection(row.collection)
        if target is None or target.primary_key is None:
            raise errors.ItemNotFound(f'Comment "{ids}" not found')
        self.service().commented_item(target, split_ids(target, row.item)[0], action)
        # Only admins edit other people's comments (Directus 8 let the level decide alone).
        if row.action_by != self.request.user.user_id and not self.request.user.is_admin:
            if action == "delete":
                raise errors.CommentDeleteDenied(f'Deleting a comment from "{row.collection}" collection was denied')
            raise errors.CommentUpdateDenied(f'Updating a comment to "{row.collection}" collection was denied')
        return row

    def patch(self, request, ids: str):
        row = self._comment(ids, "update")
        body = request.data
        if not isinstance(body, dict) or body.get("comment") in (None, ""):
            raise errors.InvalidRequest("comment: This value should not be blank.")
        row.comment = str(body["comment"])
        row.edited_on = timezone.now()
        row.save(update_fields=["comment", "edited_on"])
        return self.ids_response(self.collection(), ids)

    def delete(self, request, ids: str):
        row = self._comment(ids, "delete")
        row.comment_deleted_on = timezone.now()
        row.save(update_fields=["comment_deleted_on"])
        return self.respond(None)
