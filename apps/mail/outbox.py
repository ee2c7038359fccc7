"""Outgoing mail: queued with django-post-office in the project's own database, sent later by
the delivery worker (`manage.py deliver`), never inside a request.

`queue()` writes an `Email` row through the router, so it belongs to the transaction of the
request that sends it: a rolled-back write sends nothing, a committed one keeps its mail however
the mail server or the worker fares (deviation 16). Rows are made here rather than through
`post_office.mail.send()`, which runs subject and bodies through the template engine: ours are
rendered already, and a caller's text (POST /mail) must never reach template tags.

`send_due()` delivers the current project's due mail through EMAIL_BACKEND. A failed attempt is
due again after POST_OFFICE["RETRY_INTERVAL"], doubled at every further failure, until
POST_OFFICE["MAX_RETRIES"]; then the mail stays `failed` with its log rows, for the operator.

post_office marks a mail sent only after the server took it and does not lock what it picked, so
two workers (two hosts each running `manage.py deliver`) would both send the same queued mail.
One lease row per project (`SendingLease`) lets one worker at a time send; it is held for as long
as a batch may take (post_office's BATCH_DELIVERY_TIMEOUT), renewed between batches, and released
at the end, or left to run out by a worker that died."""

import logging
import uuid
from datetime import timedelta
from email.header import Header

from django.conf import settings
from django.core.mail.message import sanitize_address
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from post_office import mail as post_office
from post_office.models import PRIORITY, STATUS, Email
from post_office.settings import get_batch_delivery_timeout, get_batch_size, get_retry_timedelta

from apps.projects.context import require_project

from .models import SendingLease

logger = logging.getLogger("directus.mail")

SUBJECT_MAX = Email._meta.get_field("subject").max_length


def address(email: str, name: str = "") -> str:
    """`Name <email>` for a queued mail. The queue keeps recipients comma-separated, so a name
    with a comma is stored as an RFC 2047 encoded word (mail clients show it as written)."""
    if name and "," in name:
        name = Header(name, "utf-8").encode()
    return sanitize_address((name, email), "utf-8") if name else sanitize_address(email, "utf-8")


def queue(*, to: list[str], subject: str, text: str, html: str = "", sender: str | None = None) -> Email:
    """Queue one mail in the current transaction of the project's database."""
    return Email.objects.create(
        from_email=sender or settings.DEFAULT_FROM_EMAIL,
        to=to,
        subject=subject,
        message=text,
        html_message=html,
        status=STATUS.queued,
        priority=PRIORITY.medium,
    )


LEASE = "mail"
LEASE_MARGIN = timedelta(seconds=30)
# A pass sends at most this many batches (POST_OFFICE["BATCH_SIZE"] each) before the next project.
BATCHES_PER_PASS = 5


def _lease_length() -> timedelta:
    # post_office ends a batch after BATCH_DELIVERY_TIMEOUT seconds, whatever the mail server does.
    return timedelta(seconds=float(get_batch_delivery_timeout())) + LEASE_MARGIN


def take_lease(holder: str) -> bool:
    """Hold the current project's mail lease (again, or anew once it ran out); False while
    another worker holds it."""
    now = timezone.now()
    until = now + _lease_length()
    leases = SendingLease.objects.filter(name=LEASE)
    if leases.filter(Q(holder=holder) | Q(until__lt=now)).update(holder=holder, until=until):
        return True
    try:
        with transaction.atomic(using=SendingLease.objects.db):
            SendingLease.objects.create(name=LEASE, holder=holder, until=until)
    except IntegrityError:
        return False  # held by another worker
    return True


def release_lease(holder: str) -> None:
    SendingLease.objects.filter(name=LEASE, holder=holder).update(until=timezone.now())


def send_due() -> tuple[int, int, int]:
    """Send the current project's due mail, unless another worker is sending it; (sent, failed for
    good, to retry)."""
    holder = uuid.uuid4().hex
    totals = [0, 0, 0]
    if not take_lease(holder):
        return 0, 0, 0
    try:
        for _ in range(BATCHES_PER_PASS):
            started = timezone.now()
            sent, failed, requeued = post_office.send_queued(processes=1)
            if requeued:
                _back_off(started)
            totals = [totals[0] + sent, totals[1] + failed, totals[2] + requeued]
            if sent + failed + requeued < int(get_batch_size()) or not take_lease(holder):
                break
    finally:
        release_lease(holder)
    sent, failed, requeued = totals
    key = require_project().key
    if sent or requeued:
        logger.info("Project %s: %s mail(s) sent, %s to be retried", key, sent, requeued)
    if failed:
        logger.error("Project %s: %s mail(s) failed after the last retry (see its mail queue)", key, failed)
    return sent, failed, requeued


def _back_off(since) -> None:
    """post_office retries after a fixed interval; each further failure doubles the wait."""
    interval = get_retry_timedelta()
    retried = list(Email.objects.filter(status=STATUS.requeued, last_updated__gte=since, number_of_retries__gt=1))
    for email in retried:
        email.scheduled_time = email.last_updated + interval * 2 ** (email.number_of_retries - 1)
    Email.objects.bulk_update(retried, ["scheduled_time"])


def prune(before) -> int:
    """Remove the current project's sent and failed mail created before `before` (its log rows go
    with it); queued mail stays whatever its age."""
    _, per_model = Email.objects.filter(created__lt=before, status__in=[STATUS.sent, STATUS.failed]).delete()
    return per_model.get(Email._meta.label, 0)
