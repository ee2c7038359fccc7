"""The services behind the /settings endpoints (typed reads, write transforms, all-or-nothing
writes). Reading the project's settings, for every other app, is apps.schema.project_settings."""

import json
import re

from django.db import IntegrityError, transaction

from apps.core import errors
from apps.items.keys import check_batch
from apps.projects.context import require_project
from apps.schema.models import Field

from .models import Setting

# -- The /settings endpoints ----------------------------------------------------------------

COLLECTION = "directus_settings"
WRITABLE = frozenset({"id", "key", "value"})


def field_types() -> dict[str, str]:
    """The Directus type of each settings key that has a directus_fields row."""
    rows = Field.objects.filter(collection=COLLECTION).values_list("field", "type")
    return {key: (kind or "").lower() for key, kind in rows}


def setting_fields():
    """The directus_fields rows of directus_settings (the settings form), in form order."""
    return sorted(
        Field.objects.filter(collection=COLLECTION),
        key=lambda row: (row.sort is None, row.sort if row.sort is not None else 0, row.pk),
    )


def php_int(value) -> int:
    """PHP's (int) cast of a stored string: leading integer digits, else 0."""
    match = re.match(r"\s*([+-]?\d+)", str(value))
    return int(match.group(1)) if match else 0


def read_value(kind: str | None, raw, file_object):
    """A stored value as GET /settings sends it (settings.md § Read typing). `file_object`
    maps a file id to the full file object or None."""
    if kind == "file":
        return file_object(raw) if raw not in (None, "") else None
    if raw is None:
        return None
    if kind == "integer":
        return php_int(raw)
    if kind == "boolean":
        return str(raw).strip().lower() not in {"", "0", "false"}
    return raw


def write_value(kind: str | None, value):
    """A posted value as stored for a key of type `kind` (settings.md § Write transform)."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if kind == "file":
        return value.get("id") if isinstance(value, dict) else value
    if kind == "array" and isinstance(value, list):
        return ",".join(_scalar_text(item) for item in value)
    if kind == "json" and not isinstance(value, str):
        # Text is kept as given (Directus 8 encoded it again, storing a JSON string literal).
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def _scalar_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def stored_text(value) -> str | None:
    """The text a value is stored as; arrays and objects cannot be stored raw (422 code 213)."""
    if isinstance(value, list | dict):
        raise errors.ArrayValueNotAllowed(
            f'Attempting to write an array as the value for field "value" in "{COLLECTION}"'
        )
    return None if value is None else _scalar_text(value)


def _alias() -> str:
    return require_project().alias


def _check_payload(item, *, creating: bool) -> dict:
    if not isinstance(item, dict) or not item:
        raise errors.InvalidPayload()
    unknown = [name for name in item if name not in WRITABLE]
    if unknown:
        names = ", ".join(unknown)
        raise errors.UnprocessableEntity(f'Payload fields: "{names}" does not exist in "{COLLECTION}" collection.')
    if creating or "key" in item:
        key = item.get("key")
        if key is None or (isinstance(key, str) and not key.strip()):
            raise errors.InvalidRequest("key: This value should not be blank.")
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise errors.InvalidRequest("key: This value should be of type string.")
        if len(str(key)) > Setting._meta.get_field("key").max_length:
            raise errors.UnprocessableEntity('key: The value is too long for field "key"')
    return item


def _save(instance: Setting) -> None:
    """Insert or update one row; a duplicate key answers 409 code 204."""
    clash = Setting.objects.filter(key=instance.key)
    if instance.pk is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise errors.DuplicateKey(f'Duplicate key "{instance.key}" for collection "{COLLECTION}"')
    try:
        with transaction.atomic(using=_alias()):
            instance.save(using=_alias())
    except IntegrityError:
        raise errors.DuplicateKey(f'Duplicate key "{instance.key}" for collection "{COLLECTION}"') from None


def create_settings(items: list[dict], *, transform: bool) -> list[Setting]:
    """Insert the rows, all or none. `transform` applies the write transform of each key's type
    (a single posted object); batches are stored as given."""
    check_batch(items)
    items = [_check_payload(item, creating=True) for item in items]
    types = field_types() if transform else {}
    created = []
    with transaction.atomic(using=_alias()):
        for item in items:
            key = str(item["key"])
            value = write_value(types.get(key), item.get("value")) if transform else item.get("value")
            instance = Setting(key=key, value=stored_text(value))
            if item.get("id") not in (None, ""):
                instance.pk = parse_id(item["id"])
                if Setting.objects.filter(pk=instance.pk).exists():
                    raise errors.DuplicateKey(f'Duplicate key "{instance.pk}" for collection "{COLLECTION}"')
            _save(instance)
            created.append(instance)
    return created


def update_settings(changes: list[tuple[int, dict]], *, transform: bool) -> list[Setting]:
    """Apply `(id, payload)` changes, all or none; unknown ids → 404 code 203."""
    check_batch(changes)
    changes = [(pk, _check_payload(payload, creating=False)) for pk, payload in changes]
    types = field_types() if transform else {}
    updated = []
    with transaction.atomic(using=_alias()):
        rows = _rows_by_id([pk for pk, _ in changes], for_update=True)
        for pk, payload in changes:
            instance = rows[pk]
            if "value" in payload:
                value = payload["value"]
                instance.value = stored_text(write_value(types.get(instance.key), value) if transform else value)
            if "key" in payload:
                instance.key = str(payload["key"])
            _save(instance)
            updated.append(instance)
    return updated


def delete_settings(ids: list[int]) -> None:
    with transaction.atomic(using=_alias()):
        rows = _rows_by_id(ids, for_update=True)
        Setting.objects.filter(pk__in=list(rows)).delete()


def _rows_by_id(ids: list[int], *, for_update: bool = False) -> dict[int, Setting]:
    queryset = Setting.objects.filter(pk__in=set(ids))
    if for_update:
        queryset = queryset.select_for_update()
    rows = {row.pk: row for row in queryset}
    for pk in ids:
        if pk not in rows:
            raise errors.ItemNotFound(f'Item with id "{pk}" not found')
    return rows


def parse_id(value) -> int:
    if isinstance(value, bool):
        raise errors.InvalidRequest("id: This value should be of type integer.")
    try:
        return int(str(value).strip())
    except ValueError:
        raise errors.InvalidRequest("id: This value should be of type integer.") from None


def parse_ids(text: str) -> list[int]:
    """`1,2,3` → [1, 2, 3] (duplicates dropped, order kept)."""
    return list(dict.fromkeys(parse_id(part) for part in text.split(",") if part.strip()))
