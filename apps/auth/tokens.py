"""JWTs of a project, signed with that project's own secret (HS256, simplejwt's TokenBackend).

Claims follow Directus 8: {"id", "exp", "ttl", "type", "key", "project"}. A token verifies only
for the project that issued it: signature, `exp`, `type`, `key` and `project` must all match."""

import base64
import json
import time

import jwt
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenBackendExpiredToken

from apps.core import errors
from apps.projects.registry import ProjectConfig

AUTH = "auth"
RESET_PASSWORD = "reset_password"
INVITATION = "invitation"


def _backend(project: ProjectConfig) -> TokenBackend:
    return TokenBackend("HS256", signing_key=project.secret_key)


def looks_like_jwt(token: str) -> bool:
    """Three dot-separated parts whose header says it is a JWT (as Directus 8 decides)."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (ValueError, TypeError):
        return False
    return isinstance(header, dict) and str(header.get("typ", "")).upper() == "JWT"


def issue(project: ProjectConfig, token_type: str, ttl_minutes: float, **claims) -> str:
    payload = {
        **claims,
        "exp": int(time.time() + ttl_minutes * 60),
        "ttl": ttl_minutes,
        "type": token_type,
        "key": project.public_key,
        "project": project.key,
    }
    return _backend(project).encode(payload)


def issue_access_token(project: ProjectConfig, user_id: int, ttl_minutes: int, **extra) -> str:
    return issue(project, AUTH, ttl_minutes, id=user_id, **extra)


def decode(
    project: ProjectConfig,
    token: str,
    token_type: str = AUTH,
    *,
    invalid: type[errors.DirectusError] = errors.InvalidToken,
    expired: type[errors.DirectusError] = errors.ExpiredToken,
) -> dict:
    """The verified claims, or `invalid` / `expired` raised."""
    try:
        claims = _backend(project).decode(token, verify=True)
    except TokenBackendExpiredToken as exc:
        raise expired() from exc
    except TokenBackendError as exc:
        raise invalid() from exc
    if (
        claims.get("type") != token_type
        or claims.get("key") != project.public_key
        or claims.get("project") != project.key
    ):
        raise invalid()
    return claims


def claims_ignoring_expiry(project: ProjectConfig, token: str, token_type: str = AUTH) -> dict | None:
    """The claims of a token this project signed, even if it has expired; None otherwise.
    Only for clean-up (logging out with an expired token still ends its session)."""
    try:
        claims = jwt.decode(token, project.secret_key, algorithms=["HS256"], options={"verify_exp": False})
    except jwt.PyJWTError:
        return None
    if (
        claims.get("type") != token_type
        or claims.get("key") != project.public_key
        or claims.get("project") != project.key
    ):
        return None
    return claims
