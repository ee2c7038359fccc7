"""The webhook delivery queue: rows in each project's database, sent by the delivery worker.

Why a table of our own rather than a task queue (django-q2, procrastinate, Celery): a delivery
must be written in the transaction of the item write that caused it, and that transaction is on
the *project's* database, one of many, on SQLite, PostgreSQL or MariaDB. procrastinate works on
PostgreSQL only; django-q2's database broker and Celery's brokers keep their tasks in one fixed
place, outside the project's transaction (a rolled-back write would still fire, a crash between
commit and enqueue would lose the event). Mail has the same need and django-post-office meets it
(apps.mail.outbox); for HTTP calls nothing does, and what is needed is small: queue, claim, send,
retry with backoff, keep a record.

* `enqueue()` adds the rows (called by the listener inside the write's transaction).
* `send_due()` sends the current project's due deliveries, a batch at a time: it claims them
  (a conditional UPDATE, so two workers, on one host or many, never send one delivery twice
  while a claim holds), sends them concurrently (`WEBHOOK_WORKERS` at once, each attempt within
  `WEBHOOK_TIMEOUT` through the SSRF guard), and records each outcome:
  - an answer below 500: `sent` (a 4xx is kept in `last_error`: the receiver refused, and asking
    again would not change that);
  - no answer, or 5xx: due again after `WEBHOOK_RETRY_DELAY` seconds, doubled at every further
    failure, at most `WEBHOOK_RETRIES` times; then `failed`;
  - a URL the guard refuses: `failed` at once; a webhook deleted or made inactive since the
    write: `cancelled`.
  A worker killed mid-send leaves its claim to run out; the next pass sends the delivery again
  (a receiver may see it twice, never not at all).
* `prune()` removes finished deliveries older than the keep period."""

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from apps.core import netguard
from apps.projects.context import require_project
from directus.conf import directus_settings

from .models import Delivery, Webhook

logger = logging.getLogger("directus.webhooks")

BATCH = 100
# A pass sends at most this many batches of one project before it serves the next project.
BATCHES_PER_PASS = 10
# A claim outlives the time its batch may take by this margin.
CLAIM_MARGIN = timedelta(seconds=5)


def enqueue(alias: str, hooks: list[tuple[int, str, str]], event: str, body: str) -> None:
    """Queue one delivery per (webhook id, method, url): POSTs carry `body`, GETs nothing."""
    Delivery.objects.using(alias).bulk_create(
        Delivery(webhook=hook_id, event=event, method=method, url=url, body=body if method == "POST" else None)
        for hook_id, method, url in hooks
    )


@dataclass(frozen=True)
class Outcome:
    status: str  # Delivery.SENT, FAILED or QUEUED (to be tried again)
    error: str | None = None


def attempt(delivery: Delivery, project: str) -> Outcome:
    """One try at one delivery (no database access: run in the sending threads)."""
    headers = {"X-Directus-Event": delivery.event, "X-Directus-Project": project}
    if delivery.body is not None:
        headers["Content-Type"] = "application/json"
    try:
        answer = netguard.send(
            delivery.method,
            delivery.url,
            body=delivery.body.encode() if delivery.body is not None else None,
            headers=headers,
            timeout=float(directus_settings.WEBHOOK_TIMEOUT),
            max_redirects=int(directus_settings.WEBHOOK_MAX_REDIRECTS),
            allowlist=directus_settings.WEBHOOK_ALLOWLIST or (),
        )
    except netguard.Refused as exc:
        return Outcome(Delivery.FAILED, f"refused: {exc}")
    except netguard.DeliveryError as exc:
        return Outcome(Delivery.QUEUED, str(exc) or type(exc).__name__)
    except Exception as exc:  # a receiver must never stop the pass; the delivery is tried again
        logger.exception("Webhook delivery %s crashed", delivery.id)
        return Outcome(Delivery.QUEUED, type(exc).__name__)
    if answer.status >= 500:
        return Outcome(Delivery.QUEUED, f"HTTP {answer.status}")
    return Outcome(Delivery.SENT, f"HTTP {answer.status}" if answer.status >= 400 else None)


def _workers(count: int) -> int:
    return max(1, min(int(directus_settings.WEBHOOK_WORKERS), count))


def _claim(now: datetime) -> list[Delivery]:
    """Take up to BATCH due deliveries for this pass; rows another worker holds are left alone."""
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    due = Delivery.objects.filter(unclaimed, status=Delivery.QUEUED, due_on__lte=now)
    ids = list(due.order_by("due_on", "id").values_list("id", flat=True)[:BATCH])
    if not ids:
        return []
    token = uuid.uuid4().hex
    # Each attempt ends within the timeout (redirects included); the batch goes out in rounds.
    rounds = -(-len(ids) // _workers(len(ids)))
    lease = timedelta(seconds=float(directus_settings.WEBHOOK_TIMEOUT)) * rounds + CLAIM_MARGIN
    # The same conditions again: only the rows no other worker claimed in between are ours.
    due.filter(id__in=ids).update(claimed_by=token, claimed_until=now + lease)
    return list(Delivery.objects.filter(claimed_by=token, status=Delivery.QUEUED).order_by("due_on", "id"))


def _record(delivery: Delivery, outcome: Outcome, now: datetime) -> str:
    attempts = delivery.attempts + 1
    status = outcome.status
    due_on = delivery.due_on
    if status == Delivery.QUEUED:
        if attempts > int(directus_settings.WEBHOOK_RETRIES):
            status = Delivery.FAILED
        else:
            delay = float(directus_settings.WEBHOOK_RETRY_DELAY) * 2 ** (attempts - 1)
            due_on = now + timedelta(seconds=delay)
    finished = now if status != Delivery.QUEUED else None
    # Only while the claim is still ours: a claim that ran out belongs to whoever took it next.
    Delivery.objects.filter(id=delivery.id, claimed_by=delivery.claimed_by).update(
        status=status,
        attempts=attempts,
        due_on=due_on,
        finished_on=finished,
        last_error=(outcome.error or "")[:255] or None,
        claimed_by=None,
        claimed_until=None,
    )
    return status


def _no_outcomes() -> dict[str, int]:
    return {status: 0 for status, _label in Delivery.STATUSES}


def _send_batch(project: str) -> tuple[int, dict[str, int]]:
    now = timezone.now()
    batch = _claim(now)
    counts = _no_outcomes()
    if not batch:
        return 0, counts
    active = set(
        Webhook.objects.filter(id__in={row.webhook for row in batch}, status="active").values_list("id", flat=True)
    )
    live = [row for row in batch if row.webhook in active]
    for row in batch:
        if row.webhook not in active:
            Delivery.objects.filter(id=row.id, claimed_by=row.claimed_by).update(
                status=Delivery.CANCELLED, finished_on=now, claimed_by=None, claimed_until=None
            )
            counts[Delivery.CANCELLED] += 1
    if live:
        with ThreadPoolExecutor(max_workers=_workers(len(live)), thread_name_prefix="directus-webhook") as pool:
            outcomes = list(pool.map(lambda row: attempt(row, project), live))
        finished = timezone.now()
        for row, outcome in zip(live, outcomes, strict=True):
            status = _record(row, outcome, finished)
            counts[status] += 1
            if status == Delivery.FAILED:
                logger.warning(
                    "Webhook %s of project %s failed for good after %s attempt(s): %s",
                    row.webhook, project, row.attempts + 1, outcome.error,
                )  # fmt: skip
            elif status == Delivery.QUEUED:
                logger.info("Webhook %s of project %s will be tried again: %s", row.webhook, project, outcome.error)
    return len(batch), counts


def send_due() -> dict[str, int]:
    """Send the current project's due deliveries; the number sent, failed, to retry, cancelled."""
    project = require_project().key
    totals = _no_outcomes()
    for _ in range(BATCHES_PER_PASS):
        taken, counts = _send_batch(project)
        for status, count in counts.items():
            totals[status] += count
        if taken < BATCH:
            break
    if totals[Delivery.SENT]:
        logger.info("Project %s: %s webhook(s) sent", project, totals[Delivery.SENT])
    return totals


def prune(before: datetime) -> int:
    """Remove the current project's finished deliveries that ended before `before`."""
    deleted, _ = Delivery.objects.exclude(status=Delivery.QUEUED).filter(finished_on__lt=before).delete()
    return deleted
