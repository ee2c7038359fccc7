"""How revisions read: a snapshot shows only what its reader may read (registered as a per-row
read rule in RevisionsConfig.ready). Recording them is the writer's (apps.items.audit)."""

from apps.access.engine import current_viewer
from apps.schema import user_columns


def hide_unreadable_fields(row: dict, item: dict, policy) -> None:
    """Per-row read rule: a snapshot shows only the fields its reader may read of the item's
    collection (deviation 19); users' private columns only to admins and the user themself."""
    collection = row.get("collection")
    readable = policy.readable(collection)
    hidden = frozenset()
    if collection == "directus_users":
        viewer = current_viewer()
        own = viewer is not None and viewer.user_id and str(viewer.user_id) == str(row.get("item"))
        if not (viewer is not None and viewer.is_admin) and not own:
            hidden = user_columns.PRIVATE
        elif readable is not None:
            readable = readable | user_columns.OWN_PRIVATE
    if readable is None and not hidden:
        return
    for key in ("data", "delta"):
        values = item.get(key)
        if isinstance(values, dict):
            item[key] = {
                name: value
                for name, value in values.items()
                if (readable is None or name in readable) and name not in hidden
            }
