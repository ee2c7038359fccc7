"""The delivery worker's pass over every project: send what its queues hold (mail, webhooks).

The queues live in each project's database, written in the transactions of the requests that
filled them; `manage.py deliver` runs `deliver_all()` every few seconds. One project whose
database is down, or one queue that fails, is logged and the others go on."""

import logging
from collections.abc import Callable

from django.db import close_old_connections

from .context import using_project
from .models import Project
from .registry import ProjectConfig

logger = logging.getLogger("directus.delivery")


def _mail() -> None:
    from apps.mail.outbox import send_due

    send_due()


# (name, what sends the current project's due items)
QUEUES: list[tuple[str, Callable[[], object]]] = [("mail", _mail)]


def deliver_project(config: ProjectConfig) -> None:
    for name, send in QUEUES:
        try:
            with using_project(config):
                send()
        except Exception:
            logger.exception("Delivering the %s queue of project %s failed", name, config.key)


def deliver_all() -> None:
    close_old_connections()  # a long-running worker: drop connections that went away
    for project in Project.objects.using("default").order_by("key"):
        deliver_project(ProjectConfig.from_model(project))
