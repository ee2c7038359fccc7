"""`/:project/items/:collection`: one generic set of views over every user collection."""

from django.db import transaction
from django.db.models import Q

from apps.activity.services import Actor
from apps.core import errors
from apps.core.query.params import parse_csv
from apps.core.text import NUL
from apps.core.views import DirectusView
from apps.permissions.engine import REVISIONS
from apps.permissions.guard import PermissionGuard
from apps.revisions.models import Revision
from apps.schema.cache import project_schema
from apps.schema.datatypes import is_integer
from apps.schema.description import SYSTEM_PREFIX, CollectionInfo
from directus.conf import directus_settings

from . import listing
from .computed import computed_fields
from .reader import ItemReader, messages_for
from .services import ItemWriter


def user_collection(name: str) -> CollectionInfo:
    if name.startswith(SYSTEM_PREFIX):
        raise errors.SystemCollectionAccess()
    info = project_schema().collection(name)
    if info is None or not info.table_exists:
        raise errors.CollectionNotFound(f"Unable to find collection: {name}")
    if info.primary_key is None:
        raise errors.CollectionNotManaged(f'Collection "{name}" has no primary key')
    return info


def split_ids(collection: CollectionInfo, raw: str) -> list:
    """`1,2,3` → typed primary-key values (integer keys as ints)."""
    ids = [part for part in raw.split(",") if part != ""]
    if not ids:
        raise errors.ItemNotFound()
    if NUL in raw:  # no stored key holds one (apps.core.text)
        raise errors.ItemNotFound(f'Item with id "{raw}" not found')
    if is_integer(collection.primary_key.column.datatype):
        try:
            return [int(part) for part in ids]
        except ValueError:
            raise errors.ItemNotFound(f'Item with id "{raw}" not found') from None
    return ids


class ItemsBaseView(DirectusView):
    def guard(self):
        return PermissionGuard(self.request.user, comment=self.query.get("comment") or None)

    def reader(self, guard) -> ItemReader:
        return ItemReader.for_guard(
            project_schema(),
            guard,
            computed=computed_fields(self.request),
            lang=parse_csv(self.query.get("lang"), "lang"),
        )

    def writer(self, guard) -> ItemWriter:
        return ItemWriter(project_schema(), Actor.from_request(self.request, query=self.query), guard)

    def read_back(self, collection: CollectionInfo, ids: list, guard, *, many: bool, inserted=None, updated=False):
        """The written items as the caller may read them now; 204 when none is readable.
        `inserted` holds rows an INSERT returned, which need not be read again. Updated items
        are read as GET reads them: one just soft-deleted is gone (items.md § PATCH)."""
        reader = self.reader(guard)
        items = listing.read_ids(reader, collection, ids, self.query, inserted=inserted, hide_soft_deleted=updated)
        if not items:
            return self.respond(None)
        meta = listing.item_meta(collection, self.query, many=many)
        return self.respond(items if many else items[0], meta=meta, messages=messages_for(reader.denied))

    # The operations, for any collection (user or system) --------------------------------------

    def list_response(self, info: CollectionInfo, *, scope: Q | None = None):
        guard = self.guard()
        guard.check_read(info)
        reader = self.reader(guard)
        data, meta = listing.read_list(reader, info, self.query, self.request, guard, scope=scope)
        return self.respond(data, meta=meta, messages=messages_for(reader.denied))

    def revisions_response(self, info: CollectionInfo, ids: str, offset: str | None = None):
        """The revisions of one item of any collection, read as `/revisions` reads them: only
        what the caller may read of them (deviation 19), and only of an item the caller may
        read now; an unreadable item looks missing."""
        guard = self.guard()
        revisions = project_schema().collection(REVISIONS)
        guard.check_read(revisions)
        keys = split_ids(info, ids)
        if len(keys) != 1 or not guard.can_read(info):
            raise errors.ItemNotFound(f'Item with id "{ids}" not found')
        if not listing.read_ids(self.reader(guard), info, keys, {"fields": info.primary_key.name}):
            raise errors.ItemNotFound(f'Item with id "{ids}" not found')
        scope = Q(collection=info.name, item=str(keys[0]))
        if offset is None:
            return self.list_response(revisions, scope=scope)
        if not offset.lstrip("-").isdigit():
            raise errors.InvalidRequest("offset: must be a number")
        # The offset-th revision in ascending id order (0 = the oldest).
        query = {"fields": self.query.get("fields") or "*", "sort": "id", "limit": 1, "offset": max(int(offset), 0)}
        reader = self.reader(guard)
        data, _meta = listing.read_list(reader, revisions, query, self.request, guard, scope=scope)
        if int(offset) < 0 or not data:
            raise errors.ItemNotFound("Revision not found")
        meta = listing.item_meta(revisions, self.query, many=False)
        return self.respond(data[0], meta=meta, messages=messages_for(reader.denied))

    def ids_response(self, info: CollectionInfo, ids: str):
        guard = self.guard()
        many = "," in ids
        if not many and not guard.can_read(info):
            # One item of a collection the caller cannot read looks missing, for every role.
            raise errors.ItemNotFound(f'Item with id "{ids}" not found')
        guard.check_read(info)
        reader = self.reader(guard)
        items = listing.read_ids(reader, info, split_ids(info, ids), self.query, hide_soft_deleted=True)
        if not many and not items:
            raise errors.ItemNotFound(f'Item with id "{ids}" not found')
        meta = listing.item_meta(info, self.query, many=many)
        return self.respond(items if many else items[0], meta=meta, messages=messages_for(reader.denied))

    def body(self, kinds=(dict, list)):
        """The request's JSON body; missing, empty or of another kind is 400 code 13."""
        body = self.request.data
        if not body or not isinstance(body, kinds):
            raise errors.InvalidPayload()
        return body

    def create_response(self, info: CollectionInfo, *, batch: bool = True):
        body = self.body()
        many = isinstance(body, list)
        if many and not batch:
            raise errors.InvalidPayload()
        items = body if many else [body]
        _check_batch(items)
        guard = self.guard()
        writer = self.writer(guard)
        # The read-back is part of the transaction: a schema change that breaks it leaves nothing
        # written, and the request can run again (apps.schema.rerun).
        with transaction.atomic(using=project_schema().alias):
            ids = [writer.create(info, item) for item in items]
            # One item: the row its INSERT returned is the row stored (a batch may change its own rows).
            return self.read_back(info, ids, guard, many=many, inserted=None if many else writer.inserted_rows)

    def batch_update_response(self, info: CollectionInfo):
        body = self.body(list)
        _check_batch(body)
        key = info.primary_key.name
        guard = self.guard()
        writer = self.writer(guard)
        with transaction.atomic(using=project_schema().alias):
            ids = []
            for item in body:
                if not isinstance(item, dict) or item.get(key) in (None, ""):
                    raise errors.UnprocessableEntity("Payload must include the primary key")
                pk = split_ids(info, str(item[key]))[0]
                writer.update(info, pk, {k: v for k, v in item.items() if k != key})
                ids.append(pk)
            return self.read_back(info, ids, guard, many=True, updated=True)

    def update_response(self, info: CollectionInfo, ids: str):
        body = self.body(dict)
        guard = self.guard()
        keys = split_ids(info, ids)
        _check_batch(keys)
        writer = self.writer(guard)
        with transaction.atomic(using=project_schema().alias):
            for pk in keys:
                writer.update(info, pk, dict(body))
            return self.read_back(info, keys, guard, many="," in ids, updated=True)

    def delete_response(self, info: CollectionInfo, ids: str):
        keys = split_ids(info, ids)
        _check_batch(keys)
        writer = self.writer(self.guard())
        with transaction.atomic(using=project_schema().alias):
            for pk in keys:
                writer.delete(info, pk)
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
    def get(self, request, collection: str, ids: str, offset: str | None = None):
        info = project_schema().collection(collection)
        if info is None or not info.table_exists:
            raise errors.CollectionNotFound(f"Unable to find collection: {collection}")
        if info.primary_key is None:
            raise errors.CollectionNotManaged(f'Collection "{collection}" has no primary key')
        return self.revisions_response(info, ids, offset)


class ItemRevertView(ItemsBaseView):
    def patch(self, request, collection: str, ids: str, revision: str):
        info = user_collection(collection)
        pk = split_ids(info, ids)[0]
        row = Revision.objects.filter(pk=int(revision) if revision.isdigit() else -1).first()
        if row is None or row.collection != collection or row.item != str(pk):
            raise errors.RevisionNotFound()
        if not isinstance(row.data, dict):
            raise errors.RevisionInvalid()
        guard = self.guard()
        writer = self.writer(guard)
        with transaction.atomic(using=project_schema().alias):
            if writer._current(info, writer._model(info), pk) is None:
                raise errors.ItemNotFound(f'Item with id "{pk}" not found')
            writer.revert(info, pk, row.data)
            return self.read_back(info, [pk], guard, many=False, updated=True)


def _check_batch(items: list) -> None:
    if not items:
        raise errors.InvalidPayload()
    if len(items) > directus_settings.MAX_BATCH_ITEMS:
        raise errors.InvalidRequest(f"A batch holds at most {directus_settings.MAX_BATCH_ITEMS} items")
