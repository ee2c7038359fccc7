"""Sending a message for POST /:project/mail (mail.md) through the mail queue.

The caller's `body` is a template with `{{ name }}` / `{{ a.b }}` placeholders filled from `data`
(values HTML-escaped in HTML mails). It is deliberately not run through a template engine: a
caller's text must not reach template tags (`{% include %}`, `{% load %}`...). The result is
wrapped in the layout `mail/message.html` or, for `type: plain`, `mail/message.txt`."""

import html
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from apps.core import errors
from apps.users.models import User, UserStatus

from . import outbox

PLACEHOLDER = re.compile(r"{{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*}}")
MAX_RECIPIENTS = 1000
SUBJECT_MAX = outbox.SUBJECT_MAX  # what the queue stores (RFC 5322 allows 998)


def full_name(first, last) -> str:
    return " ".join(part for part in (first or "", last or "") if part).strip()


def _lookup(data, path: str):
    value = data
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def render_body(body: str, data: dict, *, escape: bool) -> str:
    def replace(match):
        value = _lookup(data, match.group(1))
        if value is None:
            return ""
        if isinstance(value, bool):
            value = "1" if value else ""
        text = str(value)
        return html.escape(text) if escape else text

    return PLACEHOLDER.sub(replace, body)


def _address(email, name: str | None) -> tuple[str, str]:
    if not isinstance(email, str) or not email.strip():
        raise errors.InvalidRequest("to: email should not be blank.")
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise errors.InvalidRequest(f'to: "{email}" is not a valid email address.') from None
    if name is not None and ("\n" in name or "\r" in name):
        raise errors.InvalidRequest("to: a name may not contain line breaks.")
    return email, name or ""


def recipients(to) -> list[tuple[str, str]]:
    """`to` → [(email, name)]: user ids (active users only), email strings, {email, name} objects,
    or an array of these."""
    entries = to if isinstance(to, list) else [to]
    if not entries or to in (None, "", []):
        raise errors.InvalidRequest("to: This value should not be blank.")
    if len(entries) > MAX_RECIPIENTS:
        raise errors.InvalidRequest(f"to: at most {MAX_RECIPIENTS} recipients")
    addresses: list[tuple[str, str]] = []
    user_ids: list[int] = []
    for entry in entries:
        if isinstance(entry, bool):
            raise errors.InvalidRequest("to: must be user ids, email addresses or {email, name} objects")
        if isinstance(entry, int) or (isinstance(entry, str) and entry.strip().isdigit()):
            user_ids.append(int(entry))
        elif isinstance(entry, str):
            addresses.append(_address(entry, None))
        elif isinstance(entry, dict):
            if not entry.get("email") or not entry.get("name"):
                raise errors.UnprocessableEntity("to: an address object needs both email and name")
            if not isinstance(entry["name"], str):
                raise errors.UnprocessableEntity("to: name must be a string")
            addresses.append(_address(entry["email"], entry["name"]))
        else:
            raise errors.InvalidRequest("to: must be user ids, email addresses or {email, name} objects")
    if user_ids:
        users = {
            user.pk: user
            for user in User.objects.filter(pk__in=set(user_ids), status=UserStatus.ACTIVE).only(
                "id", "email", "first_name", "last_name"
            )
        }
        if set(user_ids) - set(users):
            raise errors.UnprocessableEntity("Unable to find some users")
        for user_id in user_ids:
            user = users[user_id]
            addresses.append(_address(user.email, full_name(user.first_name, user.last_name)))
    return addresses


def formatted(email: str, name: str) -> str:
    return outbox.address(email, name)


def default_sender() -> str:
    return settings.DEFAULT_FROM_EMAIL


def send(*, sender: str, to: list[tuple[str, str]], subject: str, body: str, html_mail: bool, project_name) -> None:
    """Queue the message (apps.mail.outbox): the route answers 204 once it is queued, whatever
    the mail server's state; the delivery worker sends it and retries (deviation 16)."""
    context = {"subject": subject, "body": body, "project_name": project_name}
    recipients = [formatted(*pair) for pair in to]
    if html_mail:
        outbox.queue(
            to=recipients,
            subject=subject,
            text=html.unescape(strip_tags(body)),
            html=render_to_string("mail/message.html", context),
            sender=sender,
        )
    else:
        outbox.queue(to=recipients, subject=subject, text=render_to_string("mail/message.txt", context), sender=sender)
