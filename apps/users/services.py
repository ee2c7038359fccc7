"""The rules of directus_users (users.md) that hold on every route that writes or reads users:
`/users`, nested writes through items and roles, invitations and the 2FA activation.

* Writes: `UserWriteHooks` (the item writer calls it for every directus_users row it touches).
* Reads: `hide_private_fields` (the item reader calls it for every directus_users item, nested
  ones included)."""

import datetime
import logging
import re
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import NOT_PROVIDED
from django.template.loader import render_to_string

from apps.access.engine import current_viewer, key_of
from apps.activity.models import Action
from apps.auth import credentials, tokens
from apps.auth.identity import current_caller
from apps.auth.models import UserSession
from apps.auth.otp import TOTP
from apps.auth.throttling import Counter, hit_all
from apps.core import errors
from apps.core.passwords import hash_password, is_password_hash
from apps.core.phpregex import php_regex
from apps.items import audit
from apps.items.hooks import WriteHooks
from apps.mail import outbox
from apps.projects.context import require_project
from apps.projects.registry import ProjectConfig
from apps.roles.models import ADMIN_ROLE_ID
from apps.schema import user_columns
from apps.schema.description import CollectionInfo
from apps.schema.project_settings import ProjectSettings, app_base_url, load_settings
from directus.conf import directus_settings

from .models import User, UserStatus

logger = logging.getLogger("directus.users")

COLLECTION = "directus_users"
STATUSES = frozenset(UserStatus.values)
INVITATION_TTL_MINUTES = 30 * 24 * 60
OTP_WINDOW_SECONDS = 5 * 60
OTP_VALID_WINDOW = 2  # TOTP steps either side of now (users.md: ±2)


# -- Identifying users in URLs -----------------------------------------------------------------


def resolve_id(identity, pk: str) -> int:
    """The user id a `:id` segment names; `me` is the caller (public → 401 code 3)."""
    if pk == "me":
        if identity is None or identity.is_public:
            raise errors.Unauthorized()
        return identity.user_id
    try:
        return int(pk)
    except ValueError:
        raise errors.ItemNotFound(f'Item with id "{pk}" not found') from None


def resolve_ids(identity, raw: str) -> str:
    """`me,3` → `<caller id>,3` (the CSV form the item operations take)."""
    parts = [part for part in raw.split(",") if part != ""]
    if not parts:
        raise errors.ItemNotFound(f'Item with id "{raw}" not found')
    return ",".join(str(resolve_id(identity, part)) for part in parts)


# -- Reads -------------------------------------------------------------------------------------


def hide_private_fields(row: dict, item: dict, policy=None) -> None:
    """Per-row read rule: private columns only for admins and the user themself."""
    viewer = current_viewer()
    if viewer is not None and (viewer.is_admin or (viewer.user_id and viewer.user_id == row.get("id"))):
        return
    for name in user_columns.OWN_PRIVATE:
        item.pop(name, None)


# -- Writes ------------------------------------------------------------------------------------


def model_defaults(model, collection: CollectionInfo, payload: dict) -> dict:
    """The payload with the model's defaults for the columns it leaves out (Directus 8 tables
    declare them in SQL; tables made by Django migrations do not)."""
    values = dict(payload)
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in values or field.column not in collection.fields:
            continue
        if field.default is NOT_PROVIDED:
            continue
        values[field.column] = field.default() if callable(field.default) else field.default
    return values


def check_email(value, *, pk=None) -> None:
    if not isinstance(value, str) or not value.strip():
        raise errors.InvalidRequest("email: This value should not be blank.")
    try:
        validate_email(value)
    except ValidationError:
        raise errors.InvalidRequest("email: This value is not a valid email address.") from None
    taken = User.objects.filter(email__iexact=value)
    if pk is not None:
        taken = taken.exclude(pk=pk)
    if taken.exists():
        raise errors.DuplicateKey(f'Duplicate key "{value}" for collection "{COLLECTION}"')


def check_password(value, settings: ProjectSettings | None = None) -> None:
    if value is None:
        return
    if not isinstance(value, str) or value == "":
        raise errors.InvalidRequest("password: This value should not be blank.")
    policy = ((settings or load_settings()).get("password_policy") or "").strip()
    if not policy:
        return
    pattern, flags = php_regex(policy)
    try:
        compiled = re.compile(pattern, flags)
    except re.error:
        logger.error("The password_policy setting is not a valid regular expression: %r", policy)
        raise errors.UnprocessableEntity("password: the password policy is not a valid regular expression") from None
    if not compiled.search(value):
        raise errors.InvalidRequest("password: Password does not meet the password policy requirements")


def check_status(value) -> None:
    if value not in STATUSES:
        raise errors.InvalidRequest(f"status: must be one of {', '.join(sorted(STATUSES))}")


def ensure_other_active_admin(pk) -> None:
    """403 code 216 when `pk` is the only active admin. The active admin rows stay locked until the
    transaction ends, so two requests demoting the last two admins cannot both pass."""
    admins = list(
        User.objects.select_for_update()
        .filter(role=ADMIN_ROLE_ID, status=UserStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if key_of(pk) in admins and len(admins) == 1:
        raise errors.LastAdmin()


def _password_as_given(writer, payload: dict) -> dict:
    """A non-admin's password is always the text they typed: a value that looks like a stored
    hash is hashed like any other, so nobody picks a hash the policy never saw. Admins (and the
    server's own writes) may set a ready hash, as when users are imported."""
    value = payload.get("password")
    if isinstance(value, str) and is_password_hash(value) and writer.guard.restricted_caller() is not None:
        return {**payload, "password": hash_password(value)}
    return payload


class UserWriteHooks(WriteHooks):
    def before_create(self, writer, collection, payload):
        payload = model_defaults(User, collection, payload)
        if payload.get("external_id") in (None, ""):
            payload["external_id"] = User._meta.get_field("external_id").default()
        check_email(payload.get("email"))
        check_status(payload.get("status"))
        check_password(payload.get("password"))
        return _password_as_given(writer, payload)

    def before_update(self, writer, collection, pk, current, payload):
        if "email" in payload:
            check_email(payload["email"], pk=pk)
        if "status" in payload:
            check_status(payload["status"])
        if "password" in payload:
            check_password(payload["password"])
            payload = _password_as_given(writer, payload)
            if current.get("password_reset_token"):
                # A new password makes pending reset links useless.
                payload = {**payload, "password_reset_token": None}
        demoted = ("status" in payload and payload["status"] != UserStatus.ACTIVE) or (
            "role" in payload and key_of(payload["role"]) != ADMIN_ROLE_ID
        )
        if demoted:
            ensure_other_active_admin(pk)
        return payload

    def after_update(self, writer, collection, pk, current, payload):
        if "password" in payload:
            # Deviation 21: what the old password opened ends, except the caller's own session.
            credentials.end_after_password_change(require_project(), key_of(pk), current_caller())
        if "status" in payload:
            # users.md: besides the update row, one `status-update` row by (and about) the user.
            # Always written: the login lockout counts failures since the last one.
            actor = replace(writer.actor, user_id=key_of(pk), skip=False)
            audit.record(actor, Action.STATUS_UPDATE, COLLECTION, pk)

    def before_delete(self, writer, collection, pk, current):
        ensure_other_active_admin(pk)

    def after_delete(self, writer, collection, pk, current):
        UserSession.objects.filter(user=pk).delete()


# -- Invitations -------------------------------------------------------------------------------


def invitation_emails(body) -> list[str]:
    raw = body.get("email") if isinstance(body, dict) else None
    emails = raw if isinstance(raw, list) else [raw]
    if not emails or any(not isinstance(email, str) or not email.strip() for email in emails):
        raise errors.InvalidRequest("email: This value should not be blank.")
    cleaned = []
    for email in emails:
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError:
            raise errors.InvalidRequest(f'email: "{email}" is not a valid email address.') from None
        if email.lower() not in {known.lower() for known in cleaned}:
            cleaned.append(email)
    if len(cleaned) > directus_settings.MAX_BATCH_ITEMS:
        raise errors.InvalidRequest(f"email: at most {directus_settings.MAX_BATCH_ITEMS} addresses")
    return cleaned


def invitation_link_builder(project: ProjectConfig, settings: ProjectSettings):
    """`<app>/#/accept-invite?token=...`: from the app_url setting, else project_url (or the
    server's public URL) + `/admin/`. Never from the request (deviation 5's reasoning)."""
    base = app_base_url(settings)
    if base is None:
        logger.error("Project %s has no app_url or project_url setting for invitation links", project.key)
        raise errors.MailFailed("Invitations are not configured for this project: set app_url or project_url")
    return lambda token: f"{base}#/accept-invite?token={token}"


def invitation_token(project: ProjectConfig, email: str, sender: int) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return tokens.issue(project, tokens.INVITATION, INVITATION_TTL_MINUTES, email=email, sender=sender, date=now)


def queue_invitation(email: str, link: str, settings: ProjectSettings, sender: User | None) -> None:
    """Queue the invitation in the request's transaction: it is sent once the invited user's
    row is committed, and a mail server that is down fails nothing (deviation 16)."""
    context = {
        "project_name": settings.get("project_name", "Directus"),
        "invite_url": link,
        "email": email,
        "sender": sender,
        "days": INVITATION_TTL_MINUTES // (24 * 60),
    }
    outbox.queue(
        to=[email],
        subject=f"You have been invited to {context['project_name']}",
        text=render_to_string("mail/invitation.txt", context),
        html=render_to_string("mail/invitation.html", context),
    )


def invitation_email(project: ProjectConfig, token: str) -> str:
    """The address a valid invitation JWT of this project was sent to (401 101 / 102 otherwise)."""
    if not tokens.looks_like_jwt(token):
        raise errors.InvalidToken()
    claims = tokens.decode(project, token, tokens.INVITATION)
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise errors.InvalidToken()
    return email


# -- Two-factor activation ---------------------------------------------------------------------


def verify_new_otp(project: ProjectConfig, user_id: int, secret, otp) -> str:
    """The checked secret; 422 code 4 for missing values, 404 code 112 for a wrong OTP."""
    for name, value in (("2fa_secret", secret), ("otp", otp)):
        if value is None or (isinstance(value, str) and not value.strip()) or not isinstance(value, str | int):
            raise errors.InvalidRequest(f"{name}: This value should not be blank.")
    secret = str(secret).strip().replace(" ", "").upper()
    if len(secret) > 100:
        raise errors.InvalidRequest("2fa_secret: at most 100 characters")
    try:
        totp = TOTP(secret)
    except Exception:  # not base32
        raise errors.InvalidRequest("2fa_secret: must be a base32 secret") from None
    counter = Counter("otp", directus_settings.OTP_ATTEMPTS_PER_ACCOUNT, OTP_WINDOW_SECONDS, project.key, str(user_id))
    hit_all([counter])
    if not totp.verify(str(otp).strip(), valid_window=OTP_VALID_WINDOW):
        raise errors.InvalidOtp()
    counter.release()
    return secret
