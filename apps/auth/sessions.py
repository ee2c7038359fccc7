"""directus_user_sessions rows: one per login, found again from the credential a request carries.

A JWT issued by a login carries its session id in a `sid` claim (and keeps it when refreshed), so
ending the session revokes every token of that login. JWTs without `sid` (issued elsewhere)
have no session: they are judged by their signature and expiry, and end with the user's next
password change (apps.auth.credentials)."""

import datetime
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone

from apps.core import errors
from apps.core.lookups import exactly
from apps.projects.registry import ProjectConfig

from . import tokens
from .models import UserSession

COOKIE_SALT = "directus.session"
JWT = "jwt"
COOKIE = "cookie"
SESSION_CLAIM = "sid"
# auto_sign_out unset or <= 0: the session lasts "forever" (Directus 8 uses 10 years).
_FOREVER = datetime.timedelta(days=3650)


def session_cookie_name(project_key: str) -> str:
    return f"directus-{project_key}-session"


def session_lifetime(auto_sign_out_minutes: int) -> datetime.timedelta:
    if auto_sign_out_minutes <= 0:
        return _FOREVER
    return datetime.timedelta(minutes=auto_sign_out_minutes)


def cookie_value(project: ProjectConfig, session_id: int) -> str:
    return signing.dumps(session_id, key=project.secret_key, salt=COOKIE_SALT)


def session_id_from_cookie(project: ProjectConfig, value: str) -> int | None:
    try:
        session_id = signing.loads(value, key=project.secret_key, salt=COOKIE_SALT)
    except signing.BadSignature:
        return None
    return session_id if isinstance(session_id, int) else None


def is_expired(session: UserSession) -> bool:
    return session.token_expired_at is not None and session.token_expired_at <= timezone.now()


def live_session(session_id, *, user_id=None, token_type: str) -> UserSession:
    """The session a credential points at: 101 when it is gone (logged out), 102 when expired."""
    if not isinstance(session_id, int):
        raise errors.InvalidToken()
    sessions = UserSession.objects.filter(pk=session_id, token_type=token_type)
    if user_id is not None:
        sessions = sessions.filter(user=user_id)
    session = sessions.first()
    if session is None:
        raise errors.InvalidToken()
    if is_expired(session):
        raise errors.ExpiredToken()
    return session


@dataclass
class RequestCredential:
    kind: str  # "token" or "cookie", as credential_from_request reports it
    value: str


def find_session(project: ProjectConfig, credential: RequestCredential, *, allow_expired: bool = False):
    """The session row behind a credential, or None (static tokens, unknown or bad credentials)."""
    if credential.kind == COOKIE:
        session_id = session_id_from_cookie(project, credential.value)
        if session_id is None:
            return None
        session = UserSession.objects.filter(pk=session_id, token_type=COOKIE).first()
    elif tokens.looks_like_jwt(credential.value):
        if allow_expired:
            claims = tokens.claims_ignoring_expiry(project, credential.value)
        else:
            try:
                claims = tokens.decode(project, credential.value)
            except errors.DirectusError:
                claims = None
        if claims is None:
            return None
        sessions = UserSession.objects.filter(token_type=JWT, user=claims.get("id"))
        if isinstance(claims.get(SESSION_CLAIM), int):
            session = sessions.filter(pk=claims[SESSION_CLAIM]).first()
        else:
            session = sessions.filter(exactly("token", credential.value)).first()
    else:
        session = UserSession.objects.filter(exactly("token", credential.value)).first()
    if session is None or (not allow_expired and is_expired(session)):
        return None
    return session
