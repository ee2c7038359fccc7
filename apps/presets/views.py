"""`/:project/collection_presets` (presets.md): item operations on directus_collection_presets.

Differences from other system collections, all kept in `PresetWriter`:
* no activity and no revisions, ever (as if `activity_skip=1` were always given);
* `view_type` defaults to `tabular` (the table declares no SQL default of its own);
* a non-admin never deletes a preset that belongs to a role (403 code 10), whatever the rows say.
The permission rows do the rest (default role rows: read/create `full`, update/delete `mine`)."""

from dataclasses import replace

from apps.core import errors
from apps.items.services import ItemWriter
from apps.items.system import SystemDetailView, SystemListView

COLLECTION = "directus_collection_presets"
DEFAULT_VIEW_TYPE = "tabular"


class PresetWriter(ItemWriter):
    def create(self, collection, payload, *, parent=None):
        if collection.name == COLLECTION and isinstance(payload, dict) and payload.get("view_type") in (None, ""):
            payload = {**payload, "view_type": DEFAULT_VIEW_TYPE}
        return super().create(collection, payload, parent=parent)

    def delete(self, collection, pk, *, parent=None) -> None:
        if collection.name == COLLECTION and not self._caller_is_admin():
            current = self._current(collection, self._model(collection), pk)
            if current is not None and current.get("role") is not None:
                raise errors.Forbidden("Cannot delete collection presets that belongs to a role")
        super().delete(collection, pk, parent=parent)

    def _caller_is_admin(self) -> bool:
        access = getattr(self.guard, "access", None)
        return access is None or access.is_admin


class PresetWriting:
    """Presets are written without activity and revisions (presets.md)."""

    collection_name = COLLECTION

    def writer(self, guard) -> ItemWriter:
        base = super().writer(guard)
        return PresetWriter(base.schema, replace(base.actor, skip=True), guard)


class PresetsView(PresetWriting, SystemListView):
    pass


class PresetView(PresetWriting, SystemDetailView):
    pass
