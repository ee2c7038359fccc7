"""The /auth flows: login, token refresh, sessions, logout and password reset.

Deviation 6: the password is checked before anything that tells accounts apart, so unknown
emails, wrong passwords and inactive accounts with a wrong password all answer code 100.
Deviation 5: reset links come only from the project's configured URLs (or an allow-list)."""

import binascii
import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import router, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import get_random_string

from apps.activity.models import Action, Activity
from apps.core import errors, passwords
from apps.core.lookups import exactly
from apps.core.serialization import row_to_dict
from apps.mail import outbox
from apps.projects.registry import ProjectConfig
from apps.roles.models import ADMIN_ROLE_ID, Role
from apps.schema import user_columns
from apps.schema.project_settings import ProjectSettings, app_base_url, load_settings
from apps.users.models import User, UserStatus
from directus.conf import directus_settings

from . import credentials, sessions, tokens
from .identity import Identity
from .models import UserSession
from .otp import TOTP
from .sessions import RequestCredential
from .throttling import Counter, hit_all

logger = logging.getLogger("directus.auth")

USERS = "directus_users"
# Columns of the user row that the login response leaves out (auth.md).
JWT_MODE = "jwt"
COOKIE_MODE = "cookie"
DEFAULT_TOKEN_TTL = 20
LOGIN_WINDOW_SECONDS = 60
OTP_WINDOW_SECONDS = 5 * 60
RESET_WINDOW_SECONDS = 60 * 60
OTP_VALID_WINDOW = 2  # TOTP steps accepted either side of now (auth.md: ±2)


@dataclass(frozen=True)
class Client:
    """Where a request came from: recorded in activity and sessions, and the throttles' key."""

    ip: str
    user_agent: str


@dataclass
class LoginResult:
    user: User
    session: UserSession
    token: str | None = None  # jwt mode
    cookie: str | None = None  # cookie mode: the value of the session cookie
    two_factor_missing: bool = False

    @property
    def data(self) -> dict:
        data = {"user": row_to_dict(self.user, exclude=user_columns.LOGIN_OMITS)}
        if self.token is not None:
            data = {"token": self.token, **data}
        return data


# ---------------------------------------------------------------------------------------------
# Login


def login(project: ProjectConfig, data: dict, mode, client: Client) -> LoginResult:
    email, password, otp = _login_fields(data)
    if mode not in (JWT_MODE, COOKIE_MODE):
        raise errors.InvalidLoginPayload('mode: must be "jwt" or "cookie"')
    attempts = [
        Counter(
            "login-account-ip",
            directus_settings.LOGIN_ATTEMPTS_PER_ACCOUNT_IP,
            LOGIN_WINDOW_SECONDS,
            project.key,
            email.lower(),
            client.ip,
        ),
        login_ip_counter(project, client.ip),
    ]
    # Counted before the password is checked so parallel guesses cannot overtake the limit;
    # an attempt with the right password is given back below.
    hit_all(attempts)
    settings = load_settings()
    user = user_by_email(email)
    # One bcrypt check whatever the email names: no account, no password yet, or a wrong one.
    if not passwords.check_password(password, user.password if user is not None else None):
        if user is not None:
            _record_failed_login(user, client, settings)
        raise errors.InvalidCredentials()
    for counter in attempts:
        counter.release()

    if user.status == UserStatus.SUSPENDED:
        raise errors.UserSuspended()
    if user.status != UserStatus.ACTIVE:
        raise errors.UserInactive()
    role = Role.objects.filter(pk=user.role).first() if user.role is not None else None
    if role is not None and role.ip_whitelist and client.ip not in role.ip_whitelist:
        raise errors.IpNotAllowed()
    if user.two_factor_secret:
        _verify_otp(project, user, otp)

    with transaction.atomic(using=router.db_for_write(UserSession)):
        result = LoginResult(user=user, session=_open_session(user, mode, client, settings))
        if mode == JWT_MODE:
            result.token = tokens.issue_access_token(
                project, user.pk, token_ttl(settings), **{sessions.SESSION_CLAIM: result.session.pk}
            )
            result.session.token = result.token
        else:
            if not user.token:
                # Directus 8 names cookie sessions after the user's static token. This one is
                # marked as made by a login: logout and a new password end it.
                user.token = credentials.new_login_token(project, user.pk)
                user.save(update_fields=["token"])
            result.session.token = f"{user.token}-{result.session.pk}"
            result.cookie = sessions.cookie_value(project, result.session.pk)
        result.session.save(update_fields=["token"])
        _log(Action.AUTHENTICATE, user.pk, client)
    result.two_factor_missing = bool(role is not None and role.enforce_2fa and not user.two_factor_secret)
    return result


def login_ip_counter(project: ProjectConfig, ip: str) -> Counter:
    """The login attempts of one address; other routes that cost bcrypt work count on it too."""
    return Counter("login-ip", directus_settings.LOGIN_ATTEMPTS_PER_IP, LOGIN_WINDOW_SECONDS, project.key, ip)


def _login_fields(data: dict) -> tuple[str, str, str | None]:
    email = data.get("email")
    if not isinstance(email, str) or not email.strip():
        raise errors.InvalidLoginPayload("email: This value is required")
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise errors.InvalidLoginPayload("email: This value is not a valid email address") from None
    password = data.get("password")
    if not isinstance(password, str) or password == "":
        raise errors.InvalidLoginPayload("password: This value is required")
    otp = data.get("otp")
    if otp is not None and not isinstance(otp, str | int):
        raise errors.InvalidLoginPayload("otp: This value must be a string")
    return email, password, (str(otp).strip() if otp is not None else None)


def user_by_email(email: str) -> User | None:
    """Emails match without regard to case (MariaDB's collation does so anyway); an exact match
    wins when addresses differing only in case exist."""
    users = list(User.objects.filter(email__iexact=email))
    exact = [user for user in users if user.email == email]
    if exact:
        return exact[0]
    return users[0] if len(users) == 1 else None


def _verify_otp(project: ProjectConfig, user: User, otp: str | None) -> None:
    if not otp:
        raise errors.MissingOtp()
    counter = Counter("otp", directus_settings.OTP_ATTEMPTS_PER_ACCOUNT, OTP_WINDOW_SECONDS, project.key, str(user.pk))
    hit_all([counter])
    try:
        valid = TOTP(user.two_factor_secret).verify(otp, valid_window=OTP_VALID_WINDOW)
    except (ValueError, TypeError, binascii.Error):  # a malformed stored secret
        valid = False
    if not valid:
        raise errors.InvalidOtp()
    counter.release()


def _record_failed_login(user: User, client: Client, settings: ProjectSettings) -> None:
    """Log the failure and suspend the account once `login_attempts_allowed` consecutive
    failures have piled up since its last login or status change."""
    _log(Action.INVALID_CREDENTIALS, user.pk, client)
    allowed = settings.get_int("login_attempts_allowed", 25)
    if allowed <= 0 or user.status != UserStatus.ACTIVE:
        return
    history = Activity.objects.filter(collection=USERS, item=str(user.pk))
    last_reset = (
        history.filter(action__in=[Action.AUTHENTICATE, Action.STATUS_UPDATE])
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    failures = history.filter(action=Action.INVALID_CREDENTIALS)
    if last_reset is not None:
        failures = failures.filter(id__gt=last_reset)
    if failures.count() > allowed:
        _suspend(user, client)


def _suspend(user: User, client: Client) -> None:
    with transaction.atomic(using=router.db_for_write(User)):
        if user.role == ADMIN_ROLE_ID:
            # Locking every active admin row makes two concurrent lockouts see each other.
            admins = list(
                User.objects.select_for_update()
                .filter(role=ADMIN_ROLE_ID, status=UserStatus.ACTIVE)
                .values_list("pk", flat=True)
            )
            if not any(pk != user.pk for pk in admins):
                logger.warning("Not suspending user %s after failed logins: last active admin", user.pk)
                return
        if User.objects.filter(pk=user.pk, status=UserStatus.ACTIVE).update(status=UserStatus.SUSPENDED):
            user.status = UserStatus.SUSPENDED
            _log(Action.STATUS_UPDATE, 0, client, item=user.pk, comment="Suspended after too many failed logins")
            logger.warning("User %s suspended after too many failed logins", user.pk)


def _open_session(user: User, mode: str, client: Client, settings: ProjectSettings) -> UserSession:
    now = timezone.now()
    return UserSession.objects.create(
        user=user.pk,
        token_type=sessions.JWT if mode == JWT_MODE else sessions.COOKIE,
        ip_address=client.ip,
        user_agent=client.user_agent,
        created_on=now,
        token_expired_at=now + _session_lifetime(settings),
    )


def _log(action: str, user_id: int, client: Client, *, item: int | None = None, comment: str | None = None) -> None:
    Activity.objects.create(
        action=action,
        action_by=user_id,
        action_on=timezone.now(),
        ip=client.ip[:50],
        user_agent=client.user_agent[:255],
        collection=USERS,
        item=str(item if item is not None else user_id),
        comment=comment,
    )


def token_ttl(settings: ProjectSettings) -> int:
    ttl = settings.get_int("auth_token_ttl", DEFAULT_TOKEN_TTL)
    return ttl if ttl > 0 else DEFAULT_TOKEN_TTL


def _session_lifetime(settings: ProjectSettings) -> datetime.timedelta:
    return sessions.session_lifetime(settings.get_int("auto_sign_out", 10080))


def two_factor_missing(user: User) -> bool:
    if user.two_factor_secret or user.role is None:
        return False
    return Role.objects.filter(pk=user.role, enforce_2fa=True).exists()


# ---------------------------------------------------------------------------------------------
# Tokens and sessions


def refresh(project: ProjectConfig, data: dict) -> str:
    token = data.get("token")
    if not isinstance(token, str) or not token:
        raise errors.InvalidRequest("token: This value is required")
    claims = tokens.decode(project, token, tokens.AUTH)
    user_id = claims.get("id")
    user = User.objects.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if user is None:
        raise errors.InvalidToken()
    if user.status != UserStatus.ACTIVE:
        raise errors.UserInactive()
    extra = {"needs2FA": two_factor_missing(user)}
    session = None
    if sessions.SESSION_CLAIM in claims:
        session = sessions.live_session(claims[sessions.SESSION_CLAIM], user_id=user.pk, token_type=sessions.JWT)
        extra[sessions.SESSION_CLAIM] = session.pk
    elif credentials.revoked_without_session(claims, user.pk):
        raise errors.InvalidToken()
    settings = load_settings()
    new_token = tokens.issue_access_token(project, user.pk, token_ttl(settings), **extra)
    if session is not None:
        # Refreshing is activity: the session's auto sign-out starts over.
        session.token = new_token
        session.token_expired_at = timezone.now() + _session_lifetime(settings)
        session.save(update_fields=["token", "token_expired_at"])
    return new_token


def is_authenticated(project: ProjectConfig, credential: RequestCredential | None) -> bool:
    session = sessions.find_session(project, credential) if credential else None
    return session is not None and User.objects.filter(pk=session.user, status=UserStatus.ACTIVE).exists()


def list_sessions(project: ProjectConfig, credential: RequestCredential | None) -> list[dict] | None:
    """The sessions of the user behind the request's session; None when there is none."""
    session = sessions.find_session(project, credential) if credential else None
    if session is None:
        return None
    rows = []
    for row in UserSession.objects.filter(user=session.user).order_by("id"):
        data = row_to_dict(row)
        # Other sessions' tokens are live credentials (a cookie session's even embeds the
        # static token): only the one the caller already holds is shown.
        if row.token != credential.value:
            data["token"] = None
        rows.append(data)
    return rows


def logout(project: ProjectConfig, credential: RequestCredential | None) -> None:
    if credential is None:
        return
    # An expired token still ends its session, so it cannot be refreshed back to life.
    session = sessions.find_session(project, credential, allow_expired=True)
    if session is not None:
        session.delete()
        if session.token_type == sessions.COOKIE and session.user is not None:
            # The static token a cookie login made ends with the login (an admin-set one stays).
            credentials.end_login_token(project, session.user)
    elif credential.kind == "token" and not tokens.looks_like_jwt(credential.value):
        # Logging out with the login-made static token itself ends it.
        user_id = User.objects.filter(exactly("token", credential.value)).values_list("pk", flat=True).first()
        if user_id is not None:
            credentials.end_login_token(project, user_id, credential.value)


def logout_user(project: ProjectConfig, identity: Identity, user_id: int, session_id: int | None = None) -> list[int]:
    """End every session of a user (or one of them); the ids of the sessions ended. The static
    token a cookie login made ends with all sessions, or with a cookie session."""
    if identity.is_public:
        raise errors.UserNotAuthenticated()
    if not identity.is_admin and identity.user_id != user_id:
        raise errors.Forbidden("Only admins can end the sessions of other users")
    ended = UserSession.objects.filter(user=user_id)
    if session_id is not None:
        ended = ended.filter(pk=session_id)
    rows = list(ended.values_list("pk", "token_type"))
    UserSession.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    if session_id is None or any(token_type == sessions.COOKIE for _, token_type in rows):
        credentials.end_login_token(project, user_id)
    return [pk for pk, _ in rows]


# ---------------------------------------------------------------------------------------------
# Password reset


def request_password_reset(project: ProjectConfig, data: dict, *, ip: str = "") -> None:
    email = data.get("email")
    if not isinstance(email, str) or not email.strip():
        raise errors.InvalidRequest("email: This value is required")
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise errors.InvalidRequest("email: This value is not a valid email address") from None
    reset_url = data.get("reset_url")
    settings = load_settings()
    # Decided before the user is looked up: a misconfiguration must not tell emails apart.
    build_link = _reset_link_builder(project, settings, reset_url if isinstance(reset_url, str) else None)
    hit_all(
        [
            Counter(
                "password-reset",
                directus_settings.PASSWORD_RESET_REQUESTS_PER_ACCOUNT,
                RESET_WINDOW_SECONDS,
                project.key,
                email.lower(),
            ),
            # Per address too: one client asking for many accounts is limited as well.
            Counter(
                "password-reset-ip",
                directus_settings.PASSWORD_RESET_REQUESTS_PER_IP,
                RESET_WINDOW_SECONDS,
                project.key,
                ip,
            ),
        ]
    )
    user = user_by_email(email)
    if user is None or user.status != UserStatus.ACTIVE or build_link is None:
        return  # deviations 5 and 16: the same 204 as for a known account
    # jti: a second request always makes a different token, so the older link stops working.
    token = tokens.issue(
        project,
        tokens.RESET_PASSWORD,
        token_ttl(settings),
        id=user.pk,
        email=user.email,
        jti=get_random_string(16),
    )
    context = {
        "project_name": settings.get("project_name", "Directus"),
        "reset_url": build_link(token),
        "user": user,
        "ttl": token_ttl(settings),
    }
    # The token and its mail in one transaction (deviation 16): the worker sends the mail
    # after commit, so a mail server that is down changes nothing in the answer.
    with transaction.atomic(using=router.db_for_write(User)):
        User.objects.filter(pk=user.pk).update(password_reset_token=token)
        outbox.queue(
            to=[user.email],
            subject="Password Reset Request",
            text=render_to_string("mail/password_reset.txt", context),
            html=render_to_string("mail/password_reset.html", context),
        )


def _reset_link_builder(project: ProjectConfig, settings: ProjectSettings, reset_url: str | None):
    if reset_url and reset_url_allowed(reset_url):
        separator = "&" if "?" in reset_url else "?"
        return lambda token: f"{reset_url}{separator}token={token}"
    base = app_base_url(settings)
    if base is None:
        logger.error("Project %s has no app_url or project_url setting for password reset links", project.key)
        return None  # no link to send: the request still answers like any other
    return lambda token: f"{base}#/reset-password?token={token}&project={project.key}"


def reset_url_allowed(url: str) -> bool:
    """Exact entries of PASSWORD_RESET_URL_ALLOWLIST, or anything under an entry ending in "/"."""
    for entry in directus_settings.PASSWORD_RESET_URL_ALLOWLIST:
        entry = str(entry).strip()
        if entry and (url == entry or (entry.endswith("/") and url.startswith(entry))):
            return True
    return False


def reset_password(project: ProjectConfig, data: dict) -> None:
    token = data.get("token")
    password = data.get("password")
    if not isinstance(token, str) or not token:
        raise errors.InvalidRequest("token: This value is required")
    if not isinstance(password, str) or password == "":
        raise errors.InvalidRequest("password: This value is required")
    claims = tokens.decode(
        project,
        token,
        tokens.RESET_PASSWORD,
        invalid=errors.InvalidResetPasswordToken,
        expired=errors.ExpiredResetPasswordToken,
    )
    user_id = claims.get("id")
    user = User.objects.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if user is None:
        raise errors.UserNotFound()
    if user.email != claims.get("email"):
        raise errors.InvalidResetPasswordToken()
    if user.password_reset_token != token:
        raise errors.ExpiredResetPasswordToken("Expired Reset Password token: it was used or replaced")
    with transaction.atomic(using=router.db_for_write(User)):
        # Conditional on the token so that two concurrent resets cannot both use it.
        used = User.objects.filter(exactly("password_reset_token", token), pk=user.pk).update(
            password=passwords.hash_password(password), password_reset_token=None
        )
        if not used:
            raise errors.ExpiredResetPasswordToken("Expired Reset Password token: it was used or replaced")
        # Whoever held the old password loses what it opened (the reset link holds no session).
        credentials.end_after_password_change(project, user.pk, caller=None)
