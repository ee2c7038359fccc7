"""`/:project/collection_presets` (presets.md): item operations on directus_collection_presets.
The rules of the rows (no activity, the default `view_type`) live in `services.PresetWriteHooks`
and who may write which preset in the access engine, so nested writes of presets follow them
too; the permission rows do the rest (default role rows: read/create `full`, update/delete
`mine`)."""

from apps.items.system import SystemDetailView, SystemListView

from .services import COLLECTION


class PresetsView(SystemListView):
    collection_name = COLLECTION


class PresetView(SystemDetailView):
    collection_name = COLLECTION
