"""Snapshots of items after each create, update and revert."""

from django.db import router

from apps.activity import services as activity
from apps.activity.inserts import CompiledInsert, LinkedInserts
from apps.activity.models import Activity
from apps.permissions.engine import current_viewer
from apps.schema import user_columns

from .models import Revision

# Never kept in revisions, whatever the collection (deviation 15).
SECRET_COLUMNS = {"directus_users": user_columns.SECRET}


def scrub(collection: str, values: dict | None) -> dict | None:
    if values is None:
        return None
    secret = SECRET_COLUMNS.get(collection, frozenset())
    return {key: value for key, value in values.items() if key not in secret}


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


_INSERT_ACTIVITY_AND_REVISION = LinkedInserts(CompiledInsert(Activity), CompiledInsert(Revision), link="activity")


def record_with_activity(
    actor: activity.Actor,
    action: str,
    collection: str,
    item,
    data: dict,
    delta: dict | None,
    *,
    parent_collection: str | None = None,
    parent_item=None,
    parent_changed: bool = False,
) -> int | None:
    """The activity row of a write and the item's new revision (one statement on PostgreSQL);
    returns the activity id (None with activity_skip)."""
    if actor.skip:
        return None
    return _INSERT_ACTIVITY_AND_REVISION.insert(
        router.db_for_write(Revision),  # the project's database, as for activity rows
        activity.row(actor, action, collection, item),
        {
            "collection": collection,
            "item": str(item),
            "data": scrub(collection, data),
            "delta": scrub(collection, delta),
            "parent_collection": parent_collection,
            "parent_item": None if parent_item is None else str(parent_item),
            "parent_changed": parent_changed,
        },
    )
