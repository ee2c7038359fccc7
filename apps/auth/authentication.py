"""DRF authentication for project routes.

A request carries at most one credential, looked up in Directus 8's order: the `access_token`
query (or body) parameter, an HTTP Basic user name, the Bearer header, then the session cookie.
No credential means the public role. A credential that does not verify is refused (deviation 1):
`401` code 101 when invalid, 102 when expired."""

import base64
import binascii
import threading
import time
from collections import OrderedDict

from django.db import router
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.base import ModelState
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication

from apps.core import errors
from apps.core.compiled import CompiledQuery, int_sentinel, text_sentinel
from apps.core.text import usable_secret
from apps.projects import news
from apps.projects.context import current_project
from apps.roles.models import Role
from apps.schema.cache import project_schema, version_subquery
from apps.schema.project_settings import client_ip
from apps.users.models import User, UserStatus
from directus.conf import directus_settings

from . import credentials, sessions, tokens
from .identity import Identity, remember_caller
from .models import CredentialCutoff, UserSession
from .sessions import COOKIE_SALT, session_cookie_name

__all__ = ["COOKIE_SALT", "DirectusAuthentication", "credential_from_request", "session_cookie_name"]


def credential_from_request(request) -> tuple[str, str] | None:
    """(kind, value) of the credential the request carries, kind being "token" or "cookie"."""
    django_request = getattr(request, "_request", request)
    value = django_request.GET.get("access_token")
    if not value and django_request.method == "POST" and django_request.content_type != "application/json":
        value = django_request.POST.get("access_token")
    if value:
        return "token", value
    header = django_request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "basic" and rest:
        try:
            username, _, password = base64.b64decode(rest.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise errors.InvalidToken() from None
        if username and (not password or password == username):
            return "token", username
    if scheme.lower() == "bearer" and rest.strip():
        return "token", rest.strip()
    project = current_project()
    if project is not None:
        cookie = django_request.COOKIES.get(session_cookie_name(project.key))
        if cookie:
            return "cookie", cookie
    return None


class DirectusAuthentication(BaseAuthentication):
    # Routes that a user whose role enforces 2FA may call before activating it.
    allow_without_2fa = False

    def authenticate(self, request):
        project = current_project()
        credential = credential_from_request(request)
        if project is None or credential is None:
            return None
        kind, value = credential
        if kind == "cookie":
            identity = self._from_cookie(project, value)
        elif tokens.looks_like_jwt(value):
            claims = tokens.decode(project, value, tokens.AUTH)
            session_id = claims.get(sessions.SESSION_CLAIM)
            if sessions.SESSION_CLAIM in claims:
                user = _user_row(pk=claims.get("id"), session_id=session_id)
                # A login's token dies with its session (logout), not only at `exp`.
                if not isinstance(session_id, int) or not user._session_found:
                    raise errors.InvalidToken()
                if user._session_expires is not None and user._session_expires <= timezone.now():
                    raise errors.ExpiredToken()
            else:
                user = _user_row(pk=claims.get("id"), without_session=True)
                # Without a session it dies with the next password change (deviation 21).
                if user._not_before is not None and credentials.issued_before(claims, user._not_before):
                    raise errors.InvalidToken()
                session_id = None
            identity = Identity(user=user, token_kind="jwt", token=value, session_id=session_id)
        else:
            identity = Identity(user=_user_row(token=value), token_kind="static", token=value)
        identity = self._checked(request, identity)
        remember_caller(identity)
        return identity, value

    def _from_cookie(self, project, value: str) -> Identity:
        session_id = sessions.session_id_from_cookie(project, value)
        session = sessions.live_session(session_id, token_type=sessions.COOKIE)
        user = _user_row(pk=session.user)
        return Identity(user=user, token_kind="cookie", token=value, session_id=session.pk)

    def _checked(self, request, identity: Identity) -> Identity:
        user = identity.user
        if user._kept_since is None:
            # The schema version came with the user: this request's schema check costs nothing more.
            project_schema(known_version=user._schema_version or 0, heard=user._heard)
        else:
            project_schema(heard=user._heard)  # no news since the kept row: no statement
        if user.status != UserStatus.ACTIVE:
            raise errors.UserInactive()
        identity.role_id = user.role
        role = project_roles().get(user.role) if user.role is not None else None
        if role is not None:
            if role.ip_whitelist and client_ip(request) not in role.ip_whitelist:
                raise errors.IpNotAllowed()
            view = request.parser_context.get("view") if request.parser_context else None
            if role.enforce_2fa and not user.two_factor_secret and not getattr(view, "allow_without_2fa", False):
                raise errors.TwoFactorNotActivated()
        return identity

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def _with_version(users):
    return users.annotate(_schema_version=version_subquery())


def _with_cutoff(users):
    cutoff = CredentialCutoff.objects.filter(user=OuterRef("pk")).values("not_before")[:1]
    return _with_version(users).annotate(_not_before=Subquery(cutoff))


def _with_session(users, session_id):
    session = UserSession.objects.filter(pk=session_id, token_type=sessions.JWT, user=OuterRef("pk"))
    return _with_version(users).annotate(
        _session_found=Exists(session), _session_expires=Subquery(session.values("token_expired_at")[:1])
    )


# The lookups every authenticated request makes, compiled once per database.
_BY_TOKEN = CompiledQuery(
    User, lambda token: _with_version(User.objects.filter(token__exactly=token))[:1], (text_sentinel("token"),)
)
_BY_ID = CompiledQuery(User, lambda pk: _with_version(User.objects.filter(pk=pk))[:1], (int_sentinel(1),))
_BY_ID_WITHOUT_SESSION = CompiledQuery(
    User, lambda pk: _with_cutoff(User.objects.filter(pk=pk))[:1], (int_sentinel(1),)
)
_BY_ID_AND_SESSION = CompiledQuery(
    User,
    lambda pk, session_id: _with_session(User.objects.filter(pk=pk), session_id)[:1],
    (int_sentinel(1), int_sentinel(2)),
)


class KeptCredentials:
    """The user rows (with session and cutoff) credentials named, kept by one worker per project
    database while its news channel (apps.projects.news) says nothing that decides access has
    changed, and for CREDENTIAL_CACHE_SECONDS at most. Only rows that were found are kept: a
    refused credential is read again each time."""

    SIZE = 1000  # credentials per project database and worker

    def __init__(self):
        self._rows: dict[str, OrderedDict] = {}
        self._lock = threading.Lock()

    def get(self, alias: str, key: tuple, read) -> User:
        seconds = float(directus_settings.CREDENTIAL_CACHE_SECONDS)
        heard = news.generation(alias) if seconds > 0 else None
        if heard is not None:
            with self._lock:
                rows = self._rows.get(alias)
                entry = rows.get(key) if rows is not None else None
            if entry is not None and entry[0] == heard and time.monotonic() - entry[1] < seconds:
                user = _copy_of(entry[2])
                user._kept_since = entry[1]
                return user
        read_at = time.monotonic()
        user = read()
        user._heard, user._kept_since = heard, None
        # News that came while it was read may be about it: keep it only if there was none.
        if heard is not None and news.generation(alias) == heard:
            with self._lock:
                rows = self._rows.setdefault(alias, OrderedDict())
                rows[key] = (heard, read_at, _copy_of(user))
                rows.move_to_end(key)
                if len(rows) > self.SIZE:
                    rows.popitem(last=False)
        return user

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


kept_credentials = KeptCredentials()


def _copy_of(user: User) -> User:
    """A copy of a user row, so that no request changes what another one is handed. Written out
    because `copy.copy` of a model goes through pickling's reduce protocol, looking the model up
    in the app registry: a twentieth of a read by id."""
    clone = User.__new__(User)
    clone.__dict__.update(user.__dict__)
    clone._state = ModelState()
    clone._state.db, clone._state.adding = user._state.db, False
    return clone


def _user_row(*, pk=None, token=None, session_id=None, without_session=False) -> User:
    """The user a credential names, read in one statement together with the schema version (and
    the JWT's session when it names one, or the user's cutoff for JWTs without one); 101 when
    there is none. Kept between requests while nothing that decides access changes."""
    if pk is not None and not isinstance(pk, int):
        raise errors.InvalidToken()
    alias = router.db_for_read(User)
    if token is not None:
        key = ("token", token)
    elif isinstance(session_id, int):
        key = ("session", pk, session_id)
    else:
        key = ("user", pk, bool(without_session))
    return kept_credentials.get(alias, key, lambda: _read_user_row(alias, pk, token, session_id, without_session))


def _read_user_row(alias, pk, token, session_id, without_session) -> User:
    if token is not None:
        user = _BY_TOKEN.first(alias, token) if usable_secret(token) else None
    elif isinstance(session_id, int):
        user = _BY_ID_AND_SESSION.first(alias, pk, session_id)
    elif without_session and pk is not None:
        user = _BY_ID_WITHOUT_SESSION.first(alias, pk)
    else:
        user = _BY_ID.first(alias, pk) if pk is not None else None
    if user is None:
        raise errors.InvalidToken()
    return user


def project_roles() -> dict:
    """The project's roles by id, read once per schema version (role writes move it)."""

    def load():
        return {role.pk: role for role in Role.objects.all()}

    return project_schema().config("roles", load)
