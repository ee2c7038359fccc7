"""Which webhooks an item write fires (webhooks.md § Delivery), and the listener that queues them.

The item writer asks `listener.wants(...)` for every item it writes (cheap: the project's active
webhooks are loaded once per schema version) and hands each wanted event to `listener(event)`
inside the transaction that writes the item. The listener adds one row per matching webhook to
the project's delivery queue (apps.webhooks.queue), so a rolled-back write queues nothing and a
committed one keeps its deliveries whatever happens to the worker process that served it. The
delivery worker (`manage.py deliver`) sends them: a failing or slow receiver never fails, nor
slows, the write."""

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder

from .queue import enqueue

ACTIONS = {"create": "item.create:after", "update": "item.update:after", "delete": "item.delete:after"}


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


# -- queueing ---------------------------------------------------------------------------------


class WebhookListener:
    """The item engine's listener for item events (registered in WebhooksConfig.ready)."""

    def wants(self, alias: str, collection: str, action: str) -> bool:
        return bool(matching(alias, collection, action))

    def __call__(self, event) -> None:
        hooks = matching(event.alias, event.collection, event.action)
        if not hooks:
            return
        name = f"item.{event.action}.{event.collection}:after"
        body = json.dumps(event.data, cls=DjangoJSONEncoder, ensure_ascii=False)
        enqueue(event.alias, [(hook.id, hook.method, hook.url) for hook in hooks], name, body)


listener = WebhookListener()
