"""Who is making the request: a user of the current project, or the public role."""

from dataclasses import dataclass

from apps.core.local import memo
from apps.roles.models import ADMIN_ROLE_ID, PUBLIC_ROLE_ID

_CALLER_KEY = "directus.caller"


@dataclass
class Identity:
    user: object | None = None  # apps.users.models.User
    role_id: int | None = PUBLIC_ROLE_ID
    # The credential used: "jwt", "static", "cookie" or None for the public role.
    token_kind: str | None = None
    token: str | None = None
    session_id: int | None = None

    @property
    def user_id(self) -> int:
        """Directus records the public role as user 0 (activity.action_by)."""
        return self.user.pk if self.user is not None else 0

    @property
    def is_public(self) -> bool:
        return self.user is None

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.role_id == ADMIN_ROLE_ID


def public_identity() -> Identity:
    return Identity()


def remember_caller(identity: Identity) -> None:
    """Keep the request's authenticated caller for code that has no request at hand (write hooks)."""
    request_memo = memo()
    if request_memo is not None:
        request_memo[_CALLER_KEY] = identity


def current_caller() -> Identity | None:
    """The authenticated caller of the current request; None for the public role and outside requests."""
    request_memo = memo()
    return None if request_memo is None else request_memo.get(_CALLER_KEY)
