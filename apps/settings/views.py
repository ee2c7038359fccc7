"""`/:project/settings` (settings.md): key/value rows of directus_settings.

List reads are typed by each key's `directus_fields` type; reads by id return the stored text.
Writes run in one transaction per request (a batch is all-or-nothing, deviation 2).

The list and reads by id go through the item engine (query language and permission rows), then
each listed `value` is typed by its key. Writes are allowed or refused by the same permission
rows (settings have no owner: only `full` writes); the public role has no access at all.
"""

from django.http import QueryDict

from apps.core import errors
from apps.core.expand import RowShaper, build_meta
from apps.core.query.fields import FieldsTree, parse_fields
from apps.core.serialization import row_to_dict
from apps.core.views import DirectusView
from apps.items.system import SystemCollectionView
from apps.permissions.guard import PermissionGuard
from apps.schema.cache import project_schema

from . import services
from .models import Setting

COLLECTION = services.COLLECTION
COLUMNS = ("id", "key", "value")


class SettingsBaseView(DirectusView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.shaper = RowShaper(request)

    def check_access(self, action: str, payloads: list | None = None) -> None:
        """May the caller do `action` ("read", "create", "update", "delete") on the settings,
        with these payloads? The public role has no access at all (401 code 3, settings.md);
        everyone else is asked of their role's permission rows, as on every item route. Settings
        have no owner and no status: only `full` updates or deletes them."""
        identity = self.request.user
        if identity is None or identity.is_public:
            raise errors.Unauthorized()
        guard = self.permission_guard()
        info = project_schema().collection(COLLECTION)
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

    def permission_guard(self) -> PermissionGuard:
        return PermissionGuard(self.request.user, comment=self.query.get("comment") or None)

    def fields_tree(self, collection: str = COLLECTION) -> FieldsTree:
        tree = parse_fields(self.query.get("fields"))
        self.shaper.validate(collection, tree)
        return tree

    def body(self):
        """The parsed body: an object or an array; anything else is 400 code 13."""
        data = self.request.data
        if isinstance(data, QueryDict):
            data = data.dict()
        if not isinstance(data, dict | list) or not data:
            raise errors.InvalidPayload()
        return data

    def rows_out(self, rows: list[Setting], tree: FieldsTree) -> list[dict]:
        return self.shaper.shape(COLLECTION, [row_to_dict(row) for row in rows], tree)

    def meta(self, *, single: bool, result_count: int | None = None):
        return build_meta(
            self.query.get("meta"),
            collection=COLLECTION,
            single=single,
            result_count=result_count,
            total_count=lambda: Setting.objects.count(),
        )

    def respond_written(self, rows: list[Setting], items: list[dict], *, single: bool):
        """`items`, the answer for the written `rows`, as the caller may read them back: rows it
        may not read are left out, and so are fields; nothing left answers 204, as on the item
        routes (items.md)."""
        guard = self.permission_guard()
        info = project_schema().collection(COLLECTION)
        condition = guard.read_filter(info) if guard.can_read(info) else False
        keys = {row.pk for row in rows}
        if condition is False:
            keys = set()
        elif condition is not None:
            keys = set(
                project_schema().model(COLLECTION).objects.filter(condition, pk__in=keys).values_list("pk", flat=True)
            )
        fields = guard.readable_fields(info)
        shown = [
            {name: value for name, value in item.items() if fields is None or name in fields}
            for row, item in zip(rows, items, strict=True)
            if row.pk in keys
        ]
        if not shown:
            return self.respond(None)
        if single:
            return self.respond(shown[0], meta=self.meta(single=True))
        return self.respond(shown, meta=self.meta(single=False, result_count=len(shown)))

    def batch_update(self, items: list):
        changes = []
        for item in items:
            if not isinstance(item, dict):
                raise errors.InvalidPayload()
            if item.get("id") in (None, ""):
                raise errors.UnprocessableEntity("Payload must include the primary key")
            payload = {name: value for name, value in item.items() if name != "id"}
            changes.append((services.parse_id(item["id"]), payload))
        self.check_access("update", [payload for _pk, payload in changes])
        tree = self.fields_tree()
        rows = services.update_settings(changes, transform=False)
        return self.respond_written(rows, self.rows_out(rows, tree), single=False)


class SettingsView(SettingsBaseView, SystemCollectionView):
    """GET (typed list, through the item engine), POST (object or array), PATCH (array, each with `id`)."""

    collection_name = COLLECTION

    def get(self, request):
        response = self.list_response(self.collection())
        data = response.data.get("data") if isinstance(response.data, dict) else None
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        if any("value" in item and "key" in item for item in items):
            types = services.field_types()
            for item in items:
                if "value" in item and "key" in item:
                    item["value"] = services.read_value(types.get(item["key"]), item["value"], self.shaper.file_object)
        return response

    def post(self, request):
        self.check_access("create")
        body = self.body()
        self.check_access("create", body if isinstance(body, list) else [body])
        tree = self.fields_tree()
        if isinstance(body, list):
            rows = services.create_settings(body, transform=False)
            return self.respond_written(rows, self.rows_out(rows, tree), single=False)
        (row,) = services.create_settings([body], transform=True)
        item = self.rows_out([row], tree)[0]
        if "value" in item:
            item["value"] = body.get("value")  # Directus echoes the posted value
        return self.respond_written([row], [item], single=True)

    def patch(self, request):
        self.check_access("update")
        body = self.body()
        if not isinstance(body, list):
            raise errors.InvalidPayload("Invalid or Empty Payload: expected an array of settings, each with its id")
        return self.batch_update(body)


class SettingsFieldsView(SettingsBaseView):
    """GET: the directus_fields rows of directus_settings (the settings form)."""

    def get(self, request):
        self.check_access("read")
        tree = self.fields_tree("directus_fields")
        rows = [row_to_dict(row) for row in services.setting_fields()]
        data = self.shaper.shape("directus_fields", rows, tree)
        meta = build_meta(
            self.query.get("meta"),
            collection="directus_fields",
            single=False,
            result_count=len(data),
            total_count=len(data),
        )
        return self.respond(data, meta=meta)


class SettingDetailView(SettingsBaseView, SystemCollectionView):
    """GET/PATCH/DELETE `/settings/:id`; CSV ids read, update or delete several rows."""

    collection_name = COLLECTION

    def get(self, request, ids: str):
        if request.user is None or request.user.is_public:
            raise errors.Unauthorized()  # settings.md: no access at all for the public role
        # The stored values, read as every item is: the role's rows, row filter and blacklist.
        return self.ids_response(self.collection(), ids)

    def patch(self, request, ids: str):
        self.check_access("update")
        body = self.body()
        if isinstance(body, list):
            return self.batch_update(body)
        self.check_access("update", [body])
        pks = services.parse_ids(ids)
        tree = self.fields_tree()
        if "," in ids:
            rows = services.update_settings([(pk, dict(body)) for pk in pks], transform=False)
            return self.respond_written(rows, self.rows_out(rows, tree), single=False)
        (row,) = services.update_settings([(pks[0], body)], transform=True)
        item = self.rows_out([row], tree)[0]
        if "value" in item and "value" in body:
            item["value"] = body["value"]  # Directus echoes the posted value ...
            if services.field_types().get(row.key) == "file" and row.value not in (None, ""):
                item["value"] = self.shaper.file_object(row.value) or body["value"]  # ... or the file
        return self.respond_written([row], [item], single=True)

    def delete(self, request, ids: str):
        self.check_access("delete")
        services.delete_settings(services.parse_ids(ids))
        return self.respond(None)
