"""The delivery worker's pass over every project: send what its queues hold (mail, webhooks).

The queues live in each project's database, written in the transactions of the requests that
filled them; `manage.py deliver` runs `deliver_all()` every few seconds. One project whose
database is down, or one queue that fails, is logged and the others go on. Finished entries
older than `DELIVERY_KEEP_DAYS` are removed, once an hour per project and worker."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.utils import timezone

from directus.conf import directus_settings

from .context import using_project
from .models import Project
from .registry import ProjectConfig

logger = logging.getLogger("directus.delivery")

PRUNE_EVERY_SECONDS = 3600


def _send_mail() -> None:
    from apps.mail.outbox import send_due

    send_due()


def _prune_mail(before: datetime) -> int:
    from apps.mail.outbox import prune

    return prune(before)


def _send_webhooks() -> None:
    from apps.webhooks.queue import send_due

    send_due()


def _prune_webhooks(before: datetime) -> int:
    from apps.webhooks.queue import prune

    return prune(before)


@dataclass(frozen=True)
class Queue:
    name: str
    send: Callable[[], object]  # sends the current project's due entries
    prune: Callable[[datetime], int]  # removes the current project's entries finished before then


QUEUES: list[Queue] = [Queue("mail", _send_mail, _prune_mail), Queue("webhooks", _send_webhooks, _prune_webhooks)]

# (project key, queue name) -> when this worker last pruned it (time.monotonic)
_pruned: dict[tuple[str, str], float] = {}


def _prune_due(key: str, name: str) -> bool:
    now = time.monotonic()
    last = _pruned.get((key, name))
    if last is not None and now - last < PRUNE_EVERY_SECONDS:
        return False
    _pruned[(key, name)] = now
    return True


def deliver_project(config: ProjectConfig) -> None:
    for queue in QUEUES:
        try:
            with using_project(config):
                queue.send()
                if _prune_due(config.key, queue.name):
                    before = timezone.now() - timedelta(days=float(directus_settings.DELIVERY_KEEP_DAYS))
                    removed = queue.prune(before)
                    if removed:
                        logger.info("Project %s: %s finished %s entries removed", config.key, removed, queue.name)
        except Exception:
            logger.exception("Delivering the %s queue of project %s failed", queue.name, config.key)


def deliver_all() -> None:
    close_old_connections()  # a long-running worker: drop connections that went away
    for project in Project.objects.using("default").order_by("key"):
        deliver_project(ProjectConfig.from_model(project))
