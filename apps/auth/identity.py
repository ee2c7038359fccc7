"""Who is making the request: a user of the current project, or the public role."""

from dataclasses import dataclass

from apps.roles.models import ADMIN_ROLE_ID, PUBLIC_ROLE_ID


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
