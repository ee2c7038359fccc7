"""Delivering webhooks (webhooks.md § Delivery), off the request path.

The item writer asks `listener.wants(...)` for every item it writes (cheap: the project's active
webhooks are loaded once per request) and hands each wanted event to `listener(event)` once the
transaction commits (`transaction.on_commit`), so a rolled-back write never fires. The listener
queues one delivery per matching webhook on a small, bounded thread pool and returns at once:

* every hop is checked by the SSRF guard (`apps.core.netguard`: public addresses only, after DNS
  resolution and on every redirect; `WEBHOOK_ALLOWLIST` lets chosen hosts/networks through);
* each attempt has `WEBHOOK_TIMEOUT` seconds in all; connection failures and 5xx answers are tried
  again, at most `WEBHOOK_RETRIES` more times; refused URLs and other answers are not;
* at most `WEBHOOK_MAX_PENDING` deliveries wait for a worker; past that new ones are dropped and
  logged. A failing or slow receiver therefore never fails, nor slows, the write."""

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from apps.core import netguard
from directus.conf import directus_settings

logger = logging.getLogger("directus.webhooks")

ACTIONS = {"create": "item.create:after", "update": "item.update:after", "delete": "item.delete:after"}
# Never sent to a receiver, whatever the collection (credentials of users).
SECRET_USER_FIELDS = frozenset({"password", "token", "2fa_secret", "password_reset_token"})


@dataclass(frozen=True)
class Hook:
    id: int
    method: str  # GET or POST
    url: str
    collection: str
    action: str  # directus_action, e.g. item.create:after


def load_active_hooks(alias: str) -> list[Hook]:
    from .models import Webhook

    rows = Webhook.objects.using(alias).filter(status="active").order_by("id")
    return [
        Hook(
            id=row.id,
            method="POST" if (row.http_action or "").lower() == "post" else "GET",
            url=row.url or "",
            collection=row.collection or "",
            action=(row.directus_action or "").strip(),
        )
        for row in rows
        if row.url and row.collection
    ]


def _webhooks_table_exists() -> bool:
    from apps.projects.context import current_project
    from apps.schema.cache import project_schema

    if current_project() is None:
        return True
    info = project_schema().collection("directus_webhooks")
    return info is not None and info.table_exists


def active_hooks(alias: str) -> list[Hook]:
    """The project's active webhooks, loaded once per schema version (webhook writes move it);
    outside requests every call reads them."""
    from apps.projects.context import current_project
    from apps.schema.cache import project_schema

    project = current_project()
    if project is None or project.alias != alias:
        return load_active_hooks(alias)
    return project_schema().config("webhooks", lambda: load_active_hooks(alias) if _webhooks_table_exists() else [])


def matching(alias: str, collection: str, action: str) -> list[Hook]:
    wanted = ACTIONS.get(action)
    return [hook for hook in active_hooks(alias) if hook.collection == collection and hook.action == wanted]


# -- the pool ---------------------------------------------------------------------------------


class _Pool:
    """A few daemon worker threads fed by a queue. Daemon threads: a delivery still waiting when
    the process exits is dropped (fire-and-forget), it never holds the exit up."""

    def __init__(self):
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._pending = 0

    def submit(self, fn, *args) -> bool:
        with self._lock:
            if self._pending >= int(directus_settings.WEBHOOK_MAX_PENDING):
                return False
            self._pending += 1
            self._start_workers()
        self._queue.put((fn, args))
        return True

    def _start_workers(self) -> None:
        self._threads = [thread for thread in self._threads if thread.is_alive()]
        while len(self._threads) < max(1, int(directus_settings.WEBHOOK_WORKERS)):
            thread = threading.Thread(target=self._work, name="directus-webhook", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _work(self) -> None:
        while True:
            fn, args = self._queue.get()
            try:
                fn(*args)
            except Exception:
                logger.exception("Webhook delivery crashed")
            finally:
                with self._lock:
                    self._pending -= 1

    @property
    def pending(self) -> int:
        return self._pending


pool = _Pool()


# -- delivery ---------------------------------------------------------------------------------


def payload_of(event) -> dict:
    data = dict(event.data)
    if event.collection == "directus_users":
        for name in SECRET_USER_FIELDS:
            data.pop(name, None)
    return data


def deliver(hook: Hook, event_name: str, project: str, body: bytes | None) -> bool:
    """Send one webhook, with bounded retries; True when a receiver answered below 500."""
    headers = {"X-Directus-Event": event_name, "X-Directus-Project": project}
    if body is not None:
        headers["Content-Type"] = "application/json"
    attempts = 1 + max(0, int(directus_settings.WEBHOOK_RETRIES))
    for attempt in range(1, attempts + 1):
        try:
            answer = netguard.send(
                hook.method,
                hook.url,
                body=body,
                headers=headers,
                timeout=float(directus_settings.WEBHOOK_TIMEOUT),
                max_redirects=int(directus_settings.WEBHOOK_MAX_REDIRECTS),
                allowlist=directus_settings.WEBHOOK_ALLOWLIST or (),
            )
        except netguard.Refused as exc:
            logger.warning("Webhook %s of project %s refused: %s", hook.id, project, exc)
            return False
        except netguard.DeliveryError as exc:
            logger.info("Webhook %s of project %s, attempt %s failed: %s", hook.id, project, attempt, exc)
        else:
            if answer.status < 500:
                return True
            logger.info("Webhook %s of project %s, attempt %s: HTTP %s", hook.id, project, attempt, answer.status)
        if attempt < attempts:
            time.sleep(float(directus_settings.WEBHOOK_RETRY_DELAY) * attempt)
    logger.warning("Webhook %s of project %s gave up after %s attempts", hook.id, project, attempts)
    return False


class WebhookListener:
    """The item writer's event listener (apps.items.services.ITEM_EVENT_LISTENER)."""

    def wants(self, alias: str, collection: str, action: str) -> bool:
        return bool(matching(alias, collection, action))

    def __call__(self, event) -> None:
        hooks = matching(event.alias, event.collection, event.action)
        if not hooks:
            return
        name = f"item.{event.action}.{event.collection}:after"
        body = json.dumps(payload_of(event), cls=DjangoJSONEncoder, ensure_ascii=False).encode()
        for hook in hooks:
            if not pool.submit(deliver, hook, name, event.project, body if hook.method == "POST" else None):
                logger.warning("Webhook %s of project %s dropped: too many deliveries waiting", hook.id, event.project)


listener = WebhookListener()
