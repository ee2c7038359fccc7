"""`/:project/settings` (settings.md): key/value rows of directus_settings.

List reads are typed by each key's `directus_fields` type; reads by id return the stored text.
Writes run in one transaction per request (a batch is all-or-nothing, deviation 2).

The list goes through the item engine (query language and permission rows), then each `value`
is typed by its key.
"""

from django.http import QueryDict

from apps.core import errors
from apps.core.expand import RowShaper, build_meta
from apps.core.query.fields import FieldsTree, parse_fields
from apps.core.serialization import row_to_dict
from apps.core.views import DirectusView
from apps.items.system import SystemCollectionView

from . import services
from .models import Setting

COLLECTION = services.COLLECTION
COLUMNS = ("id", "key", "value")


class SettingsBaseView(DirectusView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.shaper = RowShaper(request)

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

    def respond_rows(self, rows: list[Setting], tree: FieldsTree, *, single: bool):
        data = self.rows_out(rows, tree)
        if single:
            return self.respond(data[0], meta=self.meta(single=True))
        return self.respond(data, meta=self.meta(single=False, result_count=len(data)))

    def batch_update(self, items: list):
        changes = []
        for item in items:
            if not isinstance(item, dict):
                raise errors.InvalidPayload()
            if item.get("id") in (None, ""):
                raise errors.UnprocessableEntity("Payload must include the primary key")
            payload = {name: value for name, value in item.items() if name != "id"}
            changes.append((services.parse_id(item["id"]), payload))
        tree = self.fields_tree()
        rows = services.update_settings(changes, transform=False)
        return self.respond_rows(rows, tree, single=False)


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
        services.check_access(request.user, "create")
        body = self.body()
        tree = self.fields_tree()
        if isinstance(body, list):
            rows = services.create_settings(body, transform=False)
            return self.respond_rows(rows, tree, single=False)
        (row,) = services.create_settings([body], transform=True)
        item = self.rows_out([row], tree)[0]
        if "value" in item:
            item["value"] = body.get("value")  # Directus echoes the posted value
        return self.respond(item, meta=self.meta(single=True))

    def patch(self, request):
        services.check_access(request.user, "update")
        body = self.body()
        if not isinstance(body, list):
            raise errors.InvalidPayload("Invalid or Empty Payload: expected an array of settings, each with its id")
        return self.batch_update(body)


class SettingsFieldsView(SettingsBaseView):
    """GET: the directus_fields rows of directus_settings (the settings form)."""

    def get(self, request):
        services.check_access(request.user, "read")
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


class SettingDetailView(SettingsBaseView):
    """GET/PATCH/DELETE `/settings/:id`; CSV ids read, update or delete several rows."""

    def get(self, request, ids: str):
        services.check_access(request.user, "read")
        tree = self.fields_tree()
        pks = services.parse_ids(ids)
        found = {row.pk: row for row in Setting.objects.filter(pk__in=pks)}
        if "," not in ids:
            if pks[0] not in found:
                raise errors.ItemNotFound(f'Item with id "{pks[0]}" not found')
            return self.respond_rows([found[pks[0]]], tree, single=True)
        return self.respond_rows([found[pk] for pk in pks if pk in found], tree, single=False)

    def patch(self, request, ids: str):
        services.check_access(request.user, "update")
        body = self.body()
        if isinstance(body, list):
            return self.batch_update(body)
        pks = services.parse_ids(ids)
        tree = self.fields_tree()
        if "," in ids:
            rows = services.update_settings([(pk, dict(body)) for pk in pks], transform=False)
            return self.respond_rows(rows, tree, single=False)
        (row,) = services.update_settings([(pks[0], body)], transform=True)
        item = self.rows_out([row], tree)[0]
        if "value" in item and "value" in body:
            item["value"] = body["value"]  # Directus echoes the posted value ...
            if services.field_types().get(row.key) == "file" and row.value not in (None, ""):
                item["value"] = self.shaper.file_object(row.value) or body["value"]  # ... or the file
        return self.respond(item, meta=self.meta(single=True))

    def delete(self, request, ids: str):
        services.check_access(request.user, "delete")
        services.delete_settings(services.parse_ids(ids))
        return self.respond(None)
