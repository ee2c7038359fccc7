"""The audit trail every write leaves: one directus_activity row per action and, for item
writes, the item's new revision, written in the caller's transaction so they exist exactly when
the change does. Credentials never reach a revision (nor an item event)."""

from dataclasses import dataclass, field

from django.db import router
from django.utils import timezone

from apps.activity.models import Activity
from apps.core.inserts import CompiledInsert, LinkedInserts
from apps.revisions.models import Revision
from apps.schema import user_columns
from apps.schema.project_settings import client_ip

USER_AGENT_MAX = 255
IP_MAX = 50


@dataclass
class Actor:
    """Who acts and from where, as activity rows record it."""

    user_id: int = 0
    ip: str = ""
    user_agent: str = ""
    comment: str | None = None
    skip: bool = False  # activity_skip=1: no activity and no revisions
    now: object = field(default_factory=timezone.now)

    @classmethod
    def from_request(cls, request, *, query: dict | None = None) -> "Actor":
        query = query or {}
        identity = getattr(request, "user", None)
        return cls(
            user_id=getattr(identity, "user_id", 0) or 0,
            ip=client_ip(request)[:IP_MAX],
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
            comment=query.get("comment") or None,
            # Only admins write without a trace (deviation 22); anyone else's request is recorded.
            skip=str(query.get("activity_skip", "")) == "1" and bool(getattr(identity, "is_admin", False)),
        )


_INSERT_ACTIVITY = CompiledInsert(Activity)


def record(actor: Actor, action: str, collection: str, item, *, comment: str | None = None) -> int | None:
    """The id of the new activity row (None with activity_skip)."""
    if actor.skip:
        return None
    return _INSERT_ACTIVITY.insert(router.db_for_write(Activity), **row(actor, action, collection, item, comment))


def row(actor: Actor, action: str, collection: str, item, comment: str | None = None) -> dict:
    """The columns of an activity row."""
    return {
        "action": action,
        "action_by": actor.user_id,
        "action_on": actor.now,
        "ip": actor.ip,
        "user_agent": actor.user_agent,
        "collection": collection,
        "item": str(item),
        "comment": comment if comment is not None else actor.comment,
    }


# Never kept in revisions, whatever the collection (deviation 15).
SECRET_COLUMNS = {"directus_users": user_columns.SECRET}


def scrub(collection: str, values: dict | None) -> dict | None:
    if values is None:
        return None
    secret = SECRET_COLUMNS.get(collection, frozenset())
    return {key: value for key, value in values.items() if key not in secret}


_INSERT_ACTIVITY_AND_REVISION = LinkedInserts(CompiledInsert(Activity), CompiledInsert(Revision), link="activity")


def record_with_activity(
    actor: Actor,
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
        row(actor, action, collection, item),
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
