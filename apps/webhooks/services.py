"""The rules of directus_webhooks rows (webhooks.md), on every write of a webhook.

* `status` is `active` or `inactive` (default `inactive`); `http_action` is `get` or `post`;
  `directus_action` is one of the three item events; `url` and `collection` are required.
* The URL must be http(s) and may not name or resolve to a loopback, private, link-local or
  metadata address (deviations.md 9, applied to webhooks): `422` code 4, nothing written. Hosts
  and networks of `WEBHOOK_ALLOWLIST` pass. Delivery checks again (apps.webhooks.dispatch)."""

from apps.core import errors, netguard
from apps.items.hooks import WriteHooks
from directus.conf import directus_settings

COLLECTION = "directus_webhooks"
STATUSES = ("active", "inactive")
HTTP_ACTIONS = ("get", "post")
DIRECTUS_ACTIONS = ("item.create:after", "item.update:after", "item.delete:after")
URL_MAX = 510


def check_url(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise errors.InvalidRequest("url: This value should not be blank.")
    value = value.strip()
    if len(value) > URL_MAX:
        raise errors.InvalidRequest(f"url: at most {URL_MAX} characters")
    try:
        netguard.check_url(value, allowlist=directus_settings.WEBHOOK_ALLOWLIST or ())
    except netguard.Refused as exc:
        raise errors.InvalidRequest(f"url: {exc}") from None
    return value


def _choice(name: str, value, choices: tuple[str, ...]):
    if value is None:
        return None
    if not isinstance(value, str) or value.lower() not in choices:
        raise errors.InvalidRequest(f"{name}: must be one of {', '.join(choices)}")
    return value.lower()


def check_values(payload: dict, *, creating: bool) -> dict:
    payload = dict(payload)
    if creating or "url" in payload:
        payload["url"] = check_url(payload.get("url"))
    if creating or "collection" in payload:
        collection = payload.get("collection")
        if not isinstance(collection, str) or not collection.strip():
            raise errors.InvalidRequest("collection: This value should not be blank.")
    if creating and payload.get("status") is None:
        payload["status"] = "inactive"
    if "status" in payload:
        status = _choice("status", payload["status"], STATUSES)
        if status is None:
            raise errors.InvalidRequest("status: This value should not be blank.")
        payload["status"] = status
    if "http_action" in payload:
        payload["http_action"] = _choice("http_action", payload["http_action"], HTTP_ACTIONS)
    action = payload.get("directus_action")
    if action is not None and action not in DIRECTUS_ACTIONS:
        raise errors.InvalidRequest(f"directus_action: must be one of {', '.join(DIRECTUS_ACTIONS)}")
    return payload


class WebhookWriteHooks(WriteHooks):
    def before_create(self, writer, collection, payload):
        return check_values(payload, creating=True)

    def before_update(self, writer, collection, pk, current, payload):
        return check_values(payload, creating=False)
