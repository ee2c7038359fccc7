"""`/:project/settings` (settings.md): key/value rows of directus_settings.

List reads are typed by each key's `directus_fields` type; reads by id return the stored text.
Writes run in one transaction per request (a batch is all-or-nothing, deviation 2).

The settings service (services.py) writes the rows: the item writer refuses them, since their
values are typed by key rather than by column. Everything else goes through the item service,
as for any collection: the list (query language and permission rows), reads by id, the read-back
of what was written (`fields`, `meta`), and the batch rules. Writes are allowed or refused by the
same permission rows (settings have no owner: only `full` writes); the public role has no access.
"""

from django.db.models import Q
from django.http import QueryDict

from apps.core import errors
from apps.items import listing
from apps.items.keys import changes_by_key, split_ids
from apps.items.operations import Items, ItemService
from apps.items.system import SystemCollectionView

from . import services
from .models import Setting

COLLECTION = services.COLLECTION
FILES = "directus_files"


class SettingsBaseView(SystemCollectionView):
    collection_name = COLLECTION

    def check_access(self, action: str, payloads: list | None = None) -> None:
        """May the caller do `action` ("read", "create", "update", "delete") on the settings,
        with these payloads? The public role has no access at all (401 code 3, settings.md);
        everyone else is asked of their role's permission rows, as on every item route."""
        identity = self.request.user
        if identity is None or identity.is_public:
            raise errors.Unauthorized()
        guard = self.service().guard
        info = self.collection()
        if action == "read":
            guard.check_read(info)
            return
        for payload in [item for item in payloads or [{}] if isinstance(item, dict)] or [{}]:
            if action == "create":
                guard.check_create(info, payload)
            elif action == "update":
                guard.check_update(info, {}, payload, soft_delete=False)
            else:
                guard.check_delete(info, {})

    def payload(self):
        """The parsed body: an object or an array; anything else is 400 code 13."""
        data = self.request.data
        if isinstance(data, QueryDict):
            data = data.dict()
        if not isinstance(data, dict | list) or not data:
            raise errors.InvalidPayload()
        return data

    def rows_response(self, items: ItemService, rows: list[Setting], *, single: bool):
        return self.respond_items(self.read_rows(items, rows, single=single))

    def read_rows(self, items: ItemService, rows: list[Setting], *, single: bool) -> Items:
        """Settings rows (written, or picked by id) as the item service reads them."""
        info = self.collection()
        found = items.read(info, [row.pk for row in rows], self.query, many=not single) if rows else Items(None)
        if not single:
            # Several rows count as a list does (`result_count`, `total_count`), over every
            # setting the caller may read.
            found.data = found.data or []
            found.meta = listing.list_meta(items.counted(info, found.data), self.query)
        return found

    def file_object(self, items: ItemService, file_id) -> dict | None:
        """The file a `file` setting names, as the caller may read it; None when there is none."""
        files = items.schema.collection(FILES)
        try:
            keys = split_ids(files, str(file_id))
        except errors.ItemNotFound:
            return None
        if len(keys) != 1 or not items.guard.can_read(files):
            return None
        return items.read(files, keys, {"fields": "*"}, many=False).data

    def batch_update(self, body: list):
        if not all(isinstance(item, dict) for item in body):
            raise errors.InvalidPayload()
        changes = changes_by_key(self.collection(), body, key_of=services.parse_id)
        self.check_access("update", [payload for _pk, payload in changes])
        items = self.service()
        with items.atomic():
            rows = services.update_settings(changes, transform=False)
            return self.rows_response(items, rows, single=False)


class SettingsView(SettingsBaseView):
    """GET (typed list, through the item engine), POST (object or array), PATCH (array, each with `id`)."""

    def get(self, request):
        items = self.service()
        found = items.read_list(self.collection(), self.query)
        rows = found.data if isinstance(found.data, list) else [found.data]
        if any("value" in row and "key" in row for row in rows):
            types = services.field_types()
            for row in rows:
                if "value" in row and "key" in row:
                    kind = types.get(row["key"])
                    row["value"] = services.read_value(kind, row["value"], lambda pk: self.file_object(items, pk))
        return self.respond_items(found)

    def post(self, request):
        self.check_access("create")
        body = self.payload()
        self.check_access("create", body if isinstance(body, list) else [body])
        items = self.service()
        with items.atomic():
            if isinstance(body, list):
                rows = services.create_settings(body, transform=False)
                return self.rows_response(items, rows, single=False)
            (row,) = services.create_settings([body], transform=True)
            created = self.read_rows(items, [row], single=True)
        if created.data is not None and "value" in created.data:
            created.data["value"] = body.get("value")  # Directus echoes the posted value
        return self.respond_items(created)

    def patch(self, request):
        self.check_access("update")
        body = self.payload()
        if not isinstance(body, list):
            self.check_access("update", [body])
        if not isinstance(body, list):
            raise errors.InvalidPayload("Invalid or Empty Payload: expected an array of settings, each with its id")
        return self.batch_update(body)


class SettingsFieldsView(SettingsBaseView):
    """GET: the directus_fields rows of directus_settings (the settings form), in form order."""

    def get(self, request):
        self.check_access("read")
        # The route's own check above decides who reads the form.
        server = self.service().as_server()
        info = server.schema.collection("directus_fields")
        keys = [row.pk for row in services.setting_fields()]
        data = (server.read(info, keys, self.query).data if keys else None) or []
        form = server.counted(info, data, scope=Q(collection=COLLECTION))
        return self.respond(data, meta=listing.list_meta(form, self.query))


class SettingDetailView(SettingsBaseView):
    """GET/PATCH/DELETE `/settings/:id`; CSV ids read, update or delete several rows."""

    def get(self, request, ids: str):
        # Read through the item service: a row the caller may not read is not there (404).
        if request.user is None or request.user.is_public:
            raise errors.Unauthorized()
        pks = services.parse_ids(ids)
        found = {row.pk: row for row in Setting.objects.filter(pk__in=pks)}
        items = self.service()
        if "," not in ids:
            read = self.read_rows(items, [found[pks[0]]], single=True) if pks[0] in found else Items(None)
            if read.data is None:  # missing, or not readable by the caller
                raise errors.ItemNotFound(f'Item with id "{pks[0]}" not found')
            return self.respond_items(read)
        self.check_access("read")
        return self.rows_response(items, [found[pk] for pk in pks if pk in found], single=False)

    def patch(self, request, ids: str):
        self.check_access("update")
        body = self.payload()
        if not isinstance(body, list):
            self.check_access("update", [body])
        if isinstance(body, list):
            return self.batch_update(body)
        pks = services.parse_ids(ids)
        items = self.service()
        with items.atomic():
            if "," in ids:
                rows = services.update_settings([(pk, dict(body)) for pk in pks], transform=False)
                return self.rows_response(items, rows, single=False)
            (row,) = services.update_settings([(pks[0], body)], transform=True)
            updated = self.read_rows(items, [row], single=True)
        if updated.data is not None and "value" in updated.data and "value" in body:
            updated.data["value"] = body["value"]  # Directus echoes the posted value ...
            if services.field_types().get(row.key) == "file" and row.value not in (None, ""):
                updated.data["value"] = self.file_object(items, row.value) or body["value"]  # ... or the file
        return self.respond_items(updated)

    def delete(self, request, ids: str):
        self.check_access("delete")
        services.delete_settings(services.parse_ids(ids))
        return self.respond(None)
