"""Recording what happened: one directus_activity row per action, written in the caller's
transaction so it exists exactly when the change does."""

from dataclasses import dataclass, field

from django.db import router
from django.utils import timezone

from apps.core.inserts import CompiledInsert
from apps.schema.project_settings import client_ip

from .models import Activity

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
