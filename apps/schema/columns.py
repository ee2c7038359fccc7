"""Payload values checked and converted to what their column stores.

Most types store a value by the kind of column that holds it (`by_storage`: a boolean, integer,
decimal, date... column); arrays, JSON and hashes have their own rule whatever the column. Each
field type names its rule (apps.schema.types). A rule is called with a value that is not None and
holds no NUL character; what it cannot store is a Directus error."""

import datetime
import json
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time

from apps.core import errors
from apps.core.fields import INTEGER_FIELDS
from apps.core.passwords import hash_password, is_password_hash


def invalid(info, reason: str) -> errors.DirectusError:
    return errors.InvalidRequest(f"{info.name}: {reason}")


# Rules of types --------------------------------------------------------------------------------


def array(info, value, model_field):
    if not isinstance(value, list) or not all(_array_item(item) for item in value):
        raise invalid(info, "must be an array of strings")
    return [str(item) for item in value]


def json_text(info, value, model_field):
    if model_field.get_internal_type() == "JSONField":
        return value
    if isinstance(value, str):
        # Text is stored as given, JSON or not (Directus 8 behaviour for json text columns).
        return value
    return json.dumps(value, ensure_ascii=False)


def hashed(info, value, model_field):
    text = str(value)
    return text if is_password_hash(text) else hash_password(text)


# The rules that take objects and arrays as values.
STRUCTURED = frozenset({array, json_text})


def _array_item(item) -> bool:
    return isinstance(item, str | int | float) and not isinstance(item, bool)


# Rules of columns ------------------------------------------------------------------------------


def by_storage(info, value, model_field):
    """The rule of the column's Django field."""
    return _BY_STORAGE.get(model_field.get_internal_type(), _text)(info, value, model_field)


def _boolean(info, value, model_field):
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip() in {"0", "1"}):
        return bool(int(value))
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise invalid(info, "must be a boolean")


def _integer(info, value, model_field):
    if isinstance(value, bool):
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise invalid(info, "must be an integer") from None


def _positive_integer(info, value, model_field):
    number = _integer(info, value, model_field)
    if number < 0:
        raise errors.UnprocessableEntity(f"{info.name}: must not be negative")
    return number


def _decimal(info, value, model_field):
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid(info, "must be a number") from None
    _check_digits(info, number, model_field)
    return number


def _check_digits(info, number: Decimal, model_field) -> None:
    if not number.is_finite():
        raise invalid(info, "must be a finite number")
    _sign, digits, exponent = number.as_tuple()
    scale = max(0, -exponent)
    integer_digits = max(0, len(digits) + exponent)
    if scale > model_field.decimal_places or integer_digits > model_field.max_digits - model_field.decimal_places:
        raise errors.UnprocessableEntity(
            f"{info.name}: {number} does not fit {model_field.max_digits},{model_field.decimal_places}"
        )


def _float(info, value, model_field):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise invalid(info, "must be a number") from None


def _parsed(parse, text: str):
    """Django's parser's answer, None also for well-formed text out of range (`2020-13-45`)."""
    try:
        return parse(text)
    except ValueError:
        return None


def _datetime(info, value, model_field):
    if isinstance(value, datetime.datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        parsed = _parsed(parse_datetime, text.replace(" ", "T", 1) if "T" not in text else text)
        if parsed is None and (day := _parsed(parse_date, text)):
            parsed = datetime.datetime.combine(day, datetime.time())
    else:
        parsed = None
    if parsed is None:
        raise invalid(info, "must be a datetime (YYYY-MM-DD HH:MM:SS)")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def _date(info, value, model_field):
    parsed = _parsed(parse_date, value[:10]) if isinstance(value, str) else None
    if parsed is None:
        raise invalid(info, "must be a date (YYYY-MM-DD)")
    return parsed


def _time(info, value, model_field):
    parsed = _parsed(parse_time, value) if isinstance(value, str) else None
    if parsed is None:
        raise invalid(info, "must be a time (HH:MM:SS)")
    return parsed


def _binary(info, value, model_field):
    return value.encode() if isinstance(value, str) else bytes(value)


def _text(info, value, model_field):
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise invalid(info, "must be a string")
    # Numbers are taken as the text they are written with (as Directus 8 did).
    text = value if isinstance(value, str) else json.dumps(value) if isinstance(value, float) else str(value)
    max_length = getattr(model_field, "max_length", None)
    if max_length and len(text) > max_length:
        raise errors.UnprocessableEntity(f"{info.name}: the value is longer than {max_length} characters")
    return text


# Django field (by internal type) -> rule; any other field stores text.
_BY_STORAGE = {
    "BooleanField": _boolean,
    **{name: _positive_integer if name.startswith("Positive") else _integer for name in INTEGER_FIELDS},
    "DecimalField": _decimal,
    "FloatField": _float,
    "DateTimeField": _datetime,
    "DateField": _date,
    "TimeField": _time,
    "BinaryField": _binary,
}
