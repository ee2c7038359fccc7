"""Ending a user's credentials when their password changes (deviation 21), and the static token a
cookie login makes.

A password change or reset ends every other session of the user (with them the JWTs, cookies
and refreshes tied to them), the JWTs without a session issued before it, and the static token
a login made. The credential of the request that made the change, when it is the user's own
session or static token, keeps working.

JWTs without a session (no `sid` claim: issued by Directus 8 or by tools holding the project
secret) have no row to delete. The time of the change is kept per user (`CredentialCutoff`) and
such tokens issued before it are refused, the caller's own included: the token string is all
there is, and nothing tells the caller's copy from any other.

A cookie login gives the user a static token when they have none (Directus 8 names cookie
sessions after it). So that logout and a new password end it without touching a static token
an admin set (the documented, long-lived kind), a login-made token carries a mark: its last
characters are an HMAC of the rest and the user id with the project's secret."""

from django.db import IntegrityError, router, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac

from apps.projects.registry import ProjectConfig
from apps.users.models import User

from .identity import Identity
from .models import CredentialCutoff, UserSession

# 24 alphanumerics in all, as Directus 8 made them.
_LOGIN_TOKEN_RANDOM = 12
_LOGIN_TOKEN_MARK = 12
_LOGIN_TOKEN_SALT = "directus.login-token"


# -- the static token of cookie logins -------------------------------------------------------------


def _mark(project: ProjectConfig, user_id: int, random_part: str) -> str:
    digest = salted_hmac(_LOGIN_TOKEN_SALT, f"{user_id}:{random_part}", secret=project.secret_key, algorithm="sha256")
    return digest.hexdigest()[:_LOGIN_TOKEN_MARK]


def new_login_token(project: ProjectConfig, user_id: int) -> str:
    random_part = get_random_string(_LOGIN_TOKEN_RANDOM)
    return random_part + _mark(project, user_id, random_part)


def is_login_token(project: ProjectConfig, user_id: int, token: str | None) -> bool:
    """Whether `token` is one a login of this user made (not one an admin set)."""
    if not token or len(token) != _LOGIN_TOKEN_RANDOM + _LOGIN_TOKEN_MARK:
        return False
    random_part, mark = token[:_LOGIN_TOKEN_RANDOM], token[_LOGIN_TOKEN_RANDOM:]
    return constant_time_compare(mark, _mark(project, user_id, random_part))


def end_login_token(project: ProjectConfig, user_id: int, token: str | None = None) -> None:
    """Clear the user's static token if a login made it (and, when given, it is `token`)."""
    current = User.objects.filter(pk=user_id).values_list("token", flat=True).first()
    if (token is None or current == token) and is_login_token(project, user_id, current):
        User.objects.filter(pk=user_id, token=current).update(token=None)


# -- password changes ------------------------------------------------------------------------------


def end_after_password_change(project: ProjectConfig, user_id: int, caller: Identity | None) -> None:
    """Run in the transaction that changes the password. `caller` is who made the change (None
    for a reset link): their own session or static token is spared."""
    own = caller if caller is not None and caller.user_id == user_id else None
    ended = UserSession.objects.filter(user=user_id)
    if own is not None and own.session_id is not None:
        ended = ended.exclude(pk=own.session_id)
    ended.delete()
    _set_cutoff(user_id, timezone.now())
    if own is None or own.token_kind != "static":
        end_login_token(project, user_id)


def _set_cutoff(user_id: int, moment) -> None:
    if CredentialCutoff.objects.filter(user=user_id).update(not_before=moment):
        return
    try:
        with transaction.atomic(using=router.db_for_write(CredentialCutoff)):
            CredentialCutoff.objects.create(user=user_id, not_before=moment)
    except IntegrityError:  # a parallel change of the same user created it first
        CredentialCutoff.objects.filter(user=user_id).update(not_before=moment)


def issued_before(claims: dict, moment) -> bool:
    """Whether a JWT was issued before `moment`: by its `iat`, else `exp` less `ttl` minutes
    (the claims Directus 8 tokens carry). `exp` is whole seconds, so a token of the same second
    as `moment` counts as older; one that tells nothing counts as older too."""
    issued = claims.get("iat")
    if not _is_number(issued):
        expires, ttl = claims.get("exp"), claims.get("ttl")
        if not (_is_number(expires) and _is_number(ttl)):
            return True
        issued = expires - ttl * 60
    return issued < moment.timestamp()


def revoked_without_session(claims: dict, user_id: int) -> bool:
    """For JWTs without a session read outside the request's user lookup (refresh)."""
    not_before = CredentialCutoff.objects.filter(user=user_id).values_list("not_before", flat=True).first()
    return not_before is not None and issued_before(claims, not_before)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
