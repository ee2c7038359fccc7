"""The rules of directus_collection_presets rows (presets.md) on every write of a preset,
whichever route (or nested write) it comes from. Who may write which preset is the access
engine's (`apps.access.engine`: a non-admin's presets are their own, deviation 22)."""

from apps.items.hooks import WriteHooks

COLLECTION = "directus_collection_presets"
DEFAULT_VIEW_TYPE = "tabular"


class PresetWriteHooks(WriteHooks):
    # No activity and no revisions, ever (as if `activity_skip=1` were always given).
    keeps_history = False

    def before_create(self, writer, collection, payload):
        payload = dict(payload)
        # The table declares no SQL default of its own.
        if payload.get("view_type") in (None, ""):
            payload["view_type"] = DEFAULT_VIEW_TYPE
        caller = writer.guard.restricted_caller()
        if caller is not None:
            payload.setdefault("user", caller.user_id)  # the only user a non-admin's preset may have
        return payload
