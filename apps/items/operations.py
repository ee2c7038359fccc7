"""The item service: every operation on items, whichever protocol asks for it.

    items = ItemService.for_request(request, query)
    items.read_list(collection, params)                 # -> Items(data, meta, messages)
    items.read_all(collection, params)                  # -> ItemPages, every item page by page
    items.get(collection, keys, params, many=True)
    items.create(collection, payloads, params, many=True)
    items.create_each(collection, payloads)             # -> keys; RowsRefused names every refusal
    items.update(collection, keys, payload, params, many=True)
    items.update_by_key(collection, payloads, params)
    items.delete(collection, keys)
    items.revisions(collection, keys, params)
    items.revert(collection, key, revision_id, params)
    items.comment(collection, key, text)

REST views, GraphQL resolvers, SCIM and the system resources (users, files, settings,
permissions, presets, webhooks, activity comments) are adapters over it: each turns its request
into these calls and the answers into its own wire format. The reader (reader.py, listing.py)
and the writer (services.py) do the work underneath; this service holds what every caller must
do alike:

- one guard for the caller (guard.py), made once and asked by every read and write;
- one transaction rule: each operation is atomic on the project's database, a batch is all or
  nothing, and written items are read back inside the same transaction (a schema change that
  breaks the read-back leaves nothing written, and the request can run again: apps.schema.rerun).
  A plain create of one item on PostgreSQL is one statement instead, atomic by itself, whose
  read-back needs no statement (`_create_alone`, one_statement.py);
- one batch rule and one batch update by key (keys.py), one `meta` builder (listing.py), one
  read-back: what was written, as the caller may read it now, with the item route's fields and
  meta rules.
"""

from dataclasses import dataclass, field, replace
from functools import cached_property

from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet

from apps.access.engine import ACTIVITY, REVISIONS
from apps.access.guard import PermissionGuard
from apps.access.interface import Guard
from apps.activity.models import Action
from apps.core import errors
from apps.core.handlers import to_directus_error
from apps.core.query.params import Query, parse_csv, parse_params
from apps.revisions.models import Revision
from apps.schema.cache import ProjectSchema, project_schema
from apps.schema.description import CollectionInfo
from apps.schema.project_settings import load_settings

from . import audit, listing, paging, querying
from .audit import Actor
from .computed import computed_fields
from .keys import changes_by_key, check_batch
from .reader import ItemReader, messages_for
from .services import ItemWriter, WriteHooks


@dataclass
class Items:
    """Items as the caller may read them, and what the envelope adds to them."""

    # A list, one item, or None when there is nothing the caller may read (REST answers 204).
    data: list[dict] | dict | None
    meta: dict | None = None
    # Warnings about relations left out (code 18, apps.items.reader.messages_for).
    messages: list[dict] = field(default_factory=list)
    # The keys read or written, in order.
    keys: list = field(default_factory=list)


def _not_found(keys: list) -> errors.DirectusError:
    return errors.ItemNotFound(f'Item with id "{",".join(str(key) for key in keys)}" not found')


def _lang(params: dict | None):
    """`lang` of query.md: None or "*" keep every translation row, a tuple those languages."""
    return parse_csv((params or {}).get("lang"), "lang")


class ItemService:
    def __init__(
        self,
        schema: ProjectSchema,
        guard: Guard,
        actor: Actor | None = None,
        *,
        request=None,
        computed: dict | None = None,
        actor_query: dict | None = None,
    ):
        self.schema = schema
        self.guard = guard
        # The actor of writes: with `actor_query`, made from the request and that query when a
        # write first needs it (reads need none).
        self._actor = actor
        self._actor_query = actor_query
        # For links in `meta.page` and the actor of later writes (`with_comment`).
        self.request = request
        # Computed alias fields (apps.items.computed), whose values may depend on the request.
        self.computed = computed if computed is not None else {}

    @classmethod
    def for_request(cls, request, query: dict | None = None, *, own_user_row: bool = False) -> "ItemService":
        """The service of one API request: its caller's guard, carrying the query's activity
        `comment` (and `activity_skip`) into every write. `own_user_row` for reads and writes of
        the caller's own user row only (apps.schema.user_columns.PRIVATE)."""
        query = query or {}
        guard = PermissionGuard(request.user, comment=query.get("comment") or None, own_user_row=own_user_row)
        return cls(project_schema(), guard, request=request, computed=computed_fields(request), actor_query=query)

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            query = self._actor_query
            self._actor = Actor() if query is None else Actor.from_request(self.request, query=query)
        return self._actor

    def with_comment(self, comment: str | None, *, activity_skip: bool = False) -> "ItemService":
        """The same caller writing with an activity comment of its own (a GraphQL mutation's)."""
        query = {"comment": comment or "", "activity_skip": "1" if activity_skip else ""}
        actor = Actor.from_request(self.request, query=query)
        guard = self.guard.for_comment(comment or None)
        return ItemService(self.schema, guard, actor, request=self.request, computed=self.computed)

    def as_server(self) -> "ItemService":
        """The same request's operations made by the server itself, past the permission rows
        (for routes that made their own checks): still validation, the collections' write
        hooks, activity and revisions."""
        return ItemService(self.schema, Guard(), self.actor, request=self.request, computed=self.computed)

    def atomic(self):
        """The transaction every operation runs in; adapters that write more in the same unit
        (a file's content, settings rows) open it around their own work."""
        return transaction.atomic(using=self.schema.alias)

    # Reading ----------------------------------------------------------------------------------

    # Whether reads may give items as finished JSON text (ItemReader.read_json), for a caller
    # that only renders them as JSON.
    items_as_json = False

    def _reader(self, lang=None) -> ItemReader:
        """A reader of what the caller may read."""
        return ItemReader.for_guard(
            self.schema, self.guard, computed=self.computed, lang=lang, as_json=self.items_as_json
        )

    @cached_property
    def readable(self) -> querying.ReadableFields:
        """The fields the caller may name in filters and sorts, per collection."""
        return querying.readable_map(self.schema, self.guard)

    def read_list(self, collection: CollectionInfo, params: dict, *, scope: Q | None = None) -> Items:
        """A list read with the query language (`params` as a query string gives them). `scope`
        narrows the rows before anything else, counts included (the revisions of one item)."""
        self.guard.check_read(collection)
        reader = self._reader(_lang(params))
        data, meta = listing.read_list(reader, collection, params, self.request, self.guard, scope=scope)
        return Items(data, meta, messages_for(reader.denied))

    def read_all(self, collection: CollectionInfo, params: dict) -> paging.ItemPages:
        """Every item the list read with `params` matches, whatever its `limit`, `offset` or
        `page`, a page at a time (exports). The first page is read now: a query the list route
        refuses is refused here."""
        self.guard.check_read(collection)
        query = parse_params(params)
        return paging.ItemPages(self._reader(query.lang), collection, query, load_settings(), self.readable)

    def run_query(self, collection: CollectionInfo, query: Query) -> listing.ListRead:
        """A list read of a query already parsed, for adapters with a query form of their own
        (GraphQL): the rows, and the counts of `meta` when asked for."""
        self.guard.check_read(collection)
        reader = self._reader(query.lang)
        caller = self.guard.statement_key()
        return listing.run_query(reader, collection, query, load_settings(), self.readable, caller_key=caller)

    def get(self, collection: CollectionInfo, keys: list, params: dict, *, many: bool) -> Items:
        """Items by key, as GET /items/:collection/:id reads them: soft-deleted ones look
        missing, and so does one item of a collection the caller cannot read (for every role)."""
        if not many and not self.guard.can_read(collection):
            raise _not_found(keys)
        self.guard.check_read(collection)
        reader = self._reader(_lang(params))
        items = listing.read_ids(reader, collection, keys, params, hide_soft_deleted=True)
        if not many and not items:
            raise _not_found(keys)
        meta = listing.item_meta(collection, params, many=many)
        return Items(items if many else items[0], meta, messages_for(reader.denied), keys)

    def read(
        self,
        collection: CollectionInfo,
        keys: list,
        params: dict,
        *,
        many: bool = True,
        updated: bool = False,
        inserted: dict | None = None,
    ) -> Items:
        """Items as the caller may read them now, with the item route's `fields` and `meta`:
        the read-back of a write (`updated` items are read as GET reads them, so one just
        soft-deleted is gone: items.md § PATCH; `inserted` rows need not be read again, see
        listing.read_ids). Data None when none is readable."""
        reader = self._reader(_lang(params))
        items = listing.read_ids(reader, collection, keys, params, hide_soft_deleted=updated, inserted=inserted)
        if not items:
            return Items(None, keys=keys)
        meta = listing.item_meta(collection, params, many=many)
        return Items(items if many else items[0], meta, messages_for(reader.denied), keys)

    def readable_rows(self, collection: CollectionInfo, queryset: QuerySet) -> QuerySet:
        """The rows of `queryset` (of `collection`) the caller may read; 401/403 when they may
        read none at all."""
        self.guard.check_read(collection)
        return self.guard.restrict(queryset, collection)

    def counted(self, collection: CollectionInfo, data: list, *, scope: Q | None = None) -> listing.ListRead:
        """Rows read by key (or written), counted for a list's `meta` over all the rows the
        caller may read (within `scope`)."""
        model = self.schema.model(collection.name)
        rows = self.guard.restrict(model._default_manager.all(), collection)
        return listing.counted(collection, data, rows if scope is None else rows.filter(scope))

    def current(self, collection: CollectionInfo, key) -> dict | None:
        """The item as stored, whoever may read it (None when missing): for rules that look at
        the whole row."""
        return self._writer().current(collection, key)

    def revisions(self, collection: CollectionInfo, keys: list, params: dict, *, offset: int | None = None) -> Items:
        """The revisions of one item of any collection, read as `/revisions` reads them: only
        what the caller may read of them (deviation 19), and only of an item the caller may
        read now; an unreadable item looks missing. `offset` picks one revision (0 = the oldest)."""
        revisions = self.schema.collection(REVISIONS)
        self.guard.check_read(revisions)
        if len(keys) != 1 or not self.guard.can_read(collection):
            raise _not_found(keys)
        if not listing.read_ids(self._reader(), collection, keys, {"fields": collection.primary_key.name}):
            raise _not_found(keys)
        scope = Q(collection=collection.name, item=str(keys[0]))
        if offset is None:
            return self.read_list(revisions, params, scope=scope)
        query = {"fields": params.get("fields") or "*", "sort": "id", "limit": 1, "offset": max(offset, 0)}
        reader = self._reader(_lang(params))
        data, _meta = listing.read_list(reader, revisions, query, self.request, self.guard, scope=scope)
        if offset < 0 or not data:
            raise errors.ItemNotFound("Revision not found")
        meta = listing.item_meta(revisions, params, many=False)
        return Items(data[0], meta, messages_for(reader.denied))

    # Writing ----------------------------------------------------------------------------------

    def _writer(self) -> ItemWriter:
        return ItemWriter(self.schema, self.actor, self.guard)

    def create(
        self,
        collection: CollectionInfo,
        payloads: list,
        params: dict | None = None,
        *,
        many: bool = True,
        hooks: WriteHooks | None = None,
        caller_fields: set[str] | None = None,
    ) -> Items:
        """Create the items, all or none, and read them back with `params` (none without).
        `hooks` and `caller_fields` are for the file service (ItemWriter.create)."""
        check_batch(payloads)
        writer = self._writer()
        single = params is not None and len(payloads) == 1 and hooks is None and caller_fields is None
        if single and writer.may_create_alone(collection, payloads[0]):
            return self._create_alone(writer, collection, payloads[0], params, many=many)
        with self.atomic():
            keys = [
                writer.create(collection, payload, hooks=hooks, caller_fields=caller_fields) for payload in payloads
            ]
            if params is None:
                return Items(None, keys=keys)
            # One item: the row its INSERT returned is the row stored (a batch may change its own rows).
            inserted = writer.inserted_rows if len(keys) == 1 else None
            return self.read(collection, keys, params, many=many, inserted=inserted)

    def check_may_create(self, collection: CollectionInfo) -> None:
        """Raise when the caller may create no item of the collection at all (before reading
        the body of a bulk write): the public role 401 code 3, others 403 code 301."""
        self.guard.check_may_create(collection)

    def create_each(self, collection: CollectionInfo, payloads: list) -> list:
        """Create the items, all or none, as `create` does, but with every item checked even
        after one is refused: each is written in a savepoint of its own, and when any was
        refused, all are rolled back and `RowsRefused` names each refused one (1 is the first)
        with the error its own write met. The keys of the created items otherwise."""
        check_batch(payloads)
        self.check_may_create(collection)
        writer = self._writer()
        keys, refusals = [], []
        with self.atomic():
            for row, payload in enumerate(payloads, start=1):
                try:
                    with self.atomic():
                        keys.append(writer.create(collection, payload))
                except (errors.DirectusError, DatabaseError) as exc:
                    refusal = to_directus_error(exc)
                    if refusal is None or refusal.status_code >= 500:
                        raise  # not this item's fault (the database is busy or gone): the import fails
                    refusals.append((row, refusal))
            if refusals:
                raise errors.RowsRefused(refusals)
        return keys

    def _create_alone(self, writer: ItemWriter, collection: CollectionInfo, payload: dict, params: dict, *, many):
        """One item that nothing else is written with (ItemWriter.may_create_alone): when its
        row, its audit rows and its read-back allow, created by one statement in autocommit,
        atomic by itself (apps/items/one_statement.py); else in a transaction as any other.
        Nothing that could fail runs after the statement: the checks and the read-back's are
        made before it, and the read-back answers from the row it returned."""
        new = writer.prepare_create(collection, payload)  # writes nothing for such a payload
        reader = self._reader(_lang(params))
        listing.item_meta(collection, params, many=many)  # raises what the read-back's would
        if listing.reads_inserted_alone(reader, collection, params):
            key = writer.create_alone(new)
            if key is not None:
                return self.read(collection, [key], params, many=many, inserted=writer.inserted_rows)
        with self.atomic():
            key = writer.write_created(new)
            return self.read(collection, [key], params, many=many, inserted=writer.inserted_rows)

    def update(
        self,
        collection: CollectionInfo,
        keys: list,
        payload: dict,
        params: dict | None = None,
        *,
        many: bool = True,
        hooks: WriteHooks | None = None,
        caller_fields: set[str] | None = None,
    ) -> Items:
        """The same change to each item, all or none; read back as for `create`."""
        if not isinstance(payload, dict):
            raise errors.InvalidPayload()
        check_batch(keys)
        changes = [(key, dict(payload)) for key in keys]
        return self._update(collection, changes, params, many=many, hooks=hooks, caller_fields=caller_fields)

    def update_by_key(self, collection: CollectionInfo, payloads: list, params: dict | None = None) -> Items:
        """A batch update whose payloads name their items by primary key, all or none."""
        return self._update(collection, changes_by_key(collection, payloads), params, many=True)

    def _update(self, collection, changes: list[tuple], params, *, many: bool, **options) -> Items:
        writer = self._writer()
        with self.atomic():
            for key, payload in changes:
                writer.update(collection, key, payload, **options)
            keys = [key for key, _payload in changes]
            if params is None:
                return Items(None, keys=keys)
            return self.read(collection, keys, params, many=many, updated=True)

    def delete(self, collection: CollectionInfo, keys: list) -> None:
        """Delete the items, all or none."""
        check_batch(keys)
        writer = self._writer()
        with self.atomic():
            for key in keys:
                writer.delete(collection, key)

    def revert(self, collection: CollectionInfo, key, revision_id: int, params: dict) -> Items:
        """The item back to a revision of its own, checked and recorded as an update."""
        revision = Revision.objects.filter(pk=revision_id).first()
        if revision is None or revision.collection != collection.name or revision.item != str(key):
            raise errors.RevisionNotFound()
        if not isinstance(revision.data, dict):
            raise errors.RevisionInvalid()
        writer = self._writer()
        with self.atomic():
            if writer.current(collection, key) is None:
                raise _not_found([key])
            writer.revert(collection, key, revision.data)
            return self.read(collection, [key], params, many=False, updated=True)

    # Comments ---------------------------------------------------------------------------------

    def commented_item(self, collection: CollectionInfo, key, action: str) -> dict:
        """The stored row of the item a comment is on, once the caller may `action` ("create",
        "update", "delete") a comment there. Commenting needs read access to the item: one the
        caller may not read answers as a missing one (404 code 203), so comments tell no item's
        existence."""
        if not self.guard.can_read(collection):
            raise _not_found([key])
        fields = {"fields": collection.primary_key.name}
        if not listing.read_ids(self._reader(), collection, [key], fields, hide_soft_deleted=True):
            raise _not_found([key])
        item = self.current(collection, key)
        if item is None:
            raise _not_found([key])
        self.guard.check_comment(collection, item, action)
        return item

    def comment(self, collection: CollectionInfo, key, text: str) -> int | None:
        """Comment on an item: the id of the comment's activity row."""
        self.commented_item(collection, key, "create")
        self.guard.check_create(self.schema.collection(ACTIVITY), {})
        actor = replace(self.actor, skip=False)  # the comment is its activity row: never skipped
        with self.atomic():
            return audit.record(actor, Action.COMMENT, collection.name, key, comment=text)
