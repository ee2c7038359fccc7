"""Stored values as Directus 8 sends them, one function per wire format. Each field type names
its format (apps.schema.types); the reader takes it once per field, not once per value."""

import base64
import datetime
import json
import uuid
from decimal import Decimal

from django.utils import timezone

from apps.core.serialization import plain_datetime
from apps.core.serialization import wire_value as plain_wire_value

# Classes of the values most columns hold, sent as they are by the formats in KEEPS_PLAIN.
PLAIN_CLASSES = frozenset({str, int, float})

_TEMPORAL = datetime.datetime | datetime.date | datetime.time | Decimal


def plain(value):
    """Most types: text and numbers as they are, datetimes as `YYYY-MM-DD HH:MM:SS` (UTC), dates,
    times and decimals as Directus 8 sent them, binary data in base64."""
    if value.__class__ in PLAIN_CLASSES:
        return value
    if value.__class__ is datetime.datetime:
        return plain_datetime(value)  # the next most common, as the checks below would end
    if value is None:
        return None
    if isinstance(value, _TEMPORAL):
        return plain_wire_value(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def stamp(value):
    """`datetime_created`, `datetime_updated`: ISO 8601, in UTC with its offset when the value
    knows its zone."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, datetime.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    return plain(value)


def boolean(value):
    """`true`/`false` whatever the column holds (TINYINT 0/1, text)."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value) if value is not None else None


def json_value(value):
    """JSON text decoded; text that is not JSON is sent as it is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return plain(value)


def array(value):
    """A list of strings: CSV text split, an empty list for none."""
    if value is None:
        return []
    if isinstance(value, str):
        return [item for item in value.split(",") if item != ""]
    if isinstance(value, _TEMPORAL):
        return plain_wire_value(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return list(value)


# The formats that send a value of PLAIN_CLASSES as it is: the reader passes those values on
# without calling them.
KEEPS_PLAIN = frozenset({plain, stamp})
