"""Metadata rows a fresh Directus 8 install has for its own system collections (placeholder)."""

SYSTEM_FIELDS: list[dict] = []
SYSTEM_RELATIONS: list[dict] = []
SYSTEM_PRESETS: list[dict] = []
