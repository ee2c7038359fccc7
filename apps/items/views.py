"""`/:project/items/:collection`: one generic set of views over every user collection, thin
adapters over the item service (apps.items.operations)."""

from django.db.models import Q

from apps.core import errors
from apps.core.views import DirectusView
from apps.schema.cache import project_schema
from apps.schema.description import SYSTEM_PREFIX, CollectionInfo

from .keys import split_ids
from .operations import Items, ItemService


def managed_collection(name: str) -> CollectionInfo:
    """A collection whose items the item routes serve: its table exists and it has a key."""
    info = project_schema().collection(name)
    if info is None or not info.table_exists:
        raise errors.CollectionNotFound(f"Unable to find collection: {name}")
    if info.primary_key is None:
        raise errors.CollectionNotManaged(f'Collection "{name}" has no primary key')
    return info


def user_collection(name: str) -> CollectionInfo:
    if name.startswith(SYSTEM_PREFIX):
        raise errors.SystemCollectionAccess()
    return managed_collection(name)


class ItemsBaseView(DirectusView):
    def service(self) -> ItemService:
        """The item service of this request's caller."""
        return ItemService.for_request(self.request, self.query)

    def respond_items(self, items: Items):
        return self.respond(items.data, meta=items.meta, messages=items.messages)

    def body(self, kinds=(dict, list)):
        """The request's JSON body; missing, empty or of another kind is 400 code 13."""
        body = self.request.data
        if not body or not isinstance(body, kinds):
            raise errors.InvalidPayload()
        return body

    # The operations, for any collection (user or system) --------------------------------------

    def list_response(self, info: CollectionInfo, *, scope: Q | None = None):
        return self.respond_items(self.service().read_list(info, self.query, scope=scope))

    def ids_response(self, info: CollectionInfo, ids: str):
        return self.respond_items(self.service().get(info, split_ids(info, ids), self.query, many="," in ids))

    def revisions_response(self, info: CollectionInfo, ids: str, offset: str | None = None):
        keys = split_ids(info, ids)
        if offset is not None and not offset.lstrip("-").isdigit():
            raise errors.InvalidRequest("offset: must be a number")
        number = None if offset is None else int(offset)
        return self.respond_items(self.service().revisions(info, keys, self.query, offset=number))

    def create_response(self, info: CollectionInfo, *, batch: bool = True):
        body = self.body()
        many = isinstance(body, list)
        if many and not batch:
            raise errors.InvalidPayload()
        return self.respond_items(self.service().create(info, body if many else [body], self.query, many=many))

    def batch_update_response(self, info: CollectionInfo):
        return self.respond_items(self.service().update_by_key(info, self.body(list), self.query))

    def update_response(self, info: CollectionInfo, ids: str):
        body = self.body(dict)
        keys = split_ids(info, ids)
        return self.respond_items(self.service().update(info, keys, body, self.query, many="," in ids))

    def delete_response(self, info: CollectionInfo, ids: str):
        self.service().delete(info, split_ids(info, ids))
        return self.respond(None)


class ItemsView(ItemsBaseView):
    def get(self, request, collection: str):
        return self.list_response(user_collection(collection))

    def post(self, request, collection: str):
        return self.create_response(user_collection(collection))

    def patch(self, request, collection: str):
        return self.batch_update_response(user_collection(collection))


class ItemView(ItemsBaseView):
    def get(self, request, collection: str, ids: str):
        return self.ids_response(user_collection(collection), ids)

    def patch(self, request, collection: str, ids: str):
        return self.update_response(user_collection(collection), ids)

    def delete(self, request, collection: str, ids: str):
        return self.delete_response(user_collection(collection), ids)


class ItemRevisionsView(ItemsBaseView):
    """The revisions of an item of any collection, system ones too."""

    def get(self, request, collection: str, ids: str, offset: str | None = None):
        return self.revisions_response(managed_collection(collection), ids, offset)


class ItemRevertView(ItemsBaseView):
    def patch(self, request, collection: str, ids: str, revision: str):
        info = user_collection(collection)
        key = split_ids(info, ids)[0]
        revision_id = int(revision) if revision.isdigit() else -1
        return self.respond_items(self.service().revert(info, key, revision_id, self.query))
