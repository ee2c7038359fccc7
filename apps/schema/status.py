"""Status mappings (system-schema.md § Status mapping): which statuses are soft-deleted and which
require the required-field checks."""

import json

from apps.schema.description import CollectionInfo
from apps.schema.project_settings import load_settings

# directus_users and directus_webhooks have fixed mappings.
FIXED = {
    "directus_users": {
        "draft": {"name": "Draft"},
        "invited": {"name": "Invited"},
        "active": {"name": "Active"},
        "suspended": {"name": "Suspended"},
        "deleted": {"name": "Deleted", "soft_delete": True},
    },
    "directus_webhooks": {"active": {"name": "Active"}, "inactive": {"name": "Inactive"}},
}


def status_mapping(collection: CollectionInfo) -> dict:
    if collection.name in FIXED:
        return FIXED[collection.name]
    field = collection.status_field
    if field is None:
        return {}
    options = (field.meta or {}).get("options") or {}
    mapping = options.get("status_mapping") if isinstance(options, dict) else None
    if isinstance(mapping, dict) and mapping:
        return mapping
    raw = load_settings().get("status_mapping")
    try:
        mapping = json.loads(raw) if raw else {}
    except ValueError:
        mapping = {}
    return mapping if isinstance(mapping, dict) else {}


def soft_deleted(collection: CollectionInfo) -> list[str]:
    return [
        key for key, value in status_mapping(collection).items() if isinstance(value, dict) and value.get("soft_delete")
    ]


def required_statuses(collection: CollectionInfo) -> list[str] | None:
    """Statuses whose items get the required checks; None when every item does."""
    statuses = [
        key
        for key, value in status_mapping(collection).items()
        if isinstance(value, dict) and value.get("required_fields")
    ]
    return statuses or None
