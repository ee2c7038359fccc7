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

from apps.projects.context import using_project
from apps.projects.models import Project
from apps.projects.registry import ProjectConfig
from directus.conf import directus_settings

logger = logging.getLogger("directus.delivery")

PRUNE_EVERY_SECONDS = 3600


@dataclass(frozen=True)
class Queue:
    name: str
    send: Callable[[], object]  # sends the current project's due entries
    prune: Callable[[datetime], int]  # removes the current project's entries finished before then


# Registered by the apps that fill them (mail, webhooks), from their AppConfig.ready().
QUEUES: list[Queue] = []


def register_queue(name: str, send: Callable[[], object], prune: Callable[[datetime], int]) -> None:
    if all(queue.name != name for queue in QUEUES):
        QUEUES.append(Queue(name, send, prune))


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
