"""Payload values: checked and converted to what the column stores, per Directus type."""

import datetime
import json
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.text import slugify

from apps.core import errors
from apps.core.passwords import hash_password, is_password_hash
from apps.core.text import has_nul
from apps.schema.description import CollectionInfo, FieldInfo

STRUCTURED_TYPES = frozenset({"json", "array"})
SERVER_FILLED = frozenset({"owner", "user_updated", "datetime_created", "datetime_updated"})


def _invalid(info: FieldInfo, reason: str) -> errors.DirectusError:
    return errors.InvalidRequest(f"{info.name}: {reason}")


def to_column(collection: str, info: FieldInfo, value, model_field):
    """The value to store for one payload key (after relational values were resolved)."""
    if value is None:
        return None
    kind = info.type
    if isinstance(value, dict | list) and kind not in STRUCTURED_TYPES:
        raise errors.ArrayValueNotAllowed(
            f'Attempting to write an array as the value for field "{info.name}" in "{collection}"'
        )
    if has_nul(value):
        # PostgreSQL cannot store it in text; refused on every engine so they all answer alike.
        raise _invalid(info, "must not contain NUL characters")
    if kind == "array":
        if not isinstance(value, list) or not all(_array_item(item) for item in value):
            raise _invalid(info, "must be an array of strings")
        return [str(item) for item in value]
    if kind == "json":
        if model_field.get_internal_type() == "JSONField":
            return value
        if isinstance(value, str):
            try:
                json.loads(value)
            except (ValueError, RecursionError):
                # A plain string is stored as given (Directus 8 behaviour for json text columns).
                return value
            return value
        return json.dumps(value, ensure_ascii=False)
    if kind == "hash":
        text = str(value)
        return text if is_password_hash(text) else hash_password(text)
    internal = model_field.get_internal_type()
    if internal == "BooleanField":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) or (isinstance(value, str) and value.strip() in {"0", "1"}):
            return bool(int(value))
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return value.strip().lower() == "true"
        raise _invalid(info, "must be a boolean")
    if internal in {
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "AutoField",
        "BigAutoField",
    }:
        if isinstance(value, bool):
            return int(value)
        try:
            number = int(str(value).strip())
        except ValueError:
            raise _invalid(info, "must be an integer") from None
        if internal.startswith("Positive") and number < 0:
            raise errors.UnprocessableEntity(f"{info.name}: must not be negative")
        return number
    if internal == "DecimalField":
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise _invalid(info, "must be a number") from None
        _check_digits(info, number, model_field)
        return number
    if internal == "FloatField":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _invalid(info, "must be a number") from None
    if internal == "DateTimeField":
        return _datetime(info, value)
    if internal == "DateField":
        parsed = _parsed(parse_date, value[:10]) if isinstance(value, str) else None
        if parsed is None:
            raise _invalid(info, "must be a date (YYYY-MM-DD)")
        return parsed
    if internal == "TimeField":
        parsed = _parsed(parse_time, value) if isinstance(value, str) else None
        if parsed is None:
            raise _invalid(info, "must be a time (HH:MM:SS)")
        return parsed
    if internal == "BinaryField":
        return value.encode() if isinstance(value, str) else bytes(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _invalid(info, "must be a string")
    # Numbers are taken as the text they are written with (as Directus 8 did).
    text = value if isinstance(value, str) else json.dumps(value) if isinstance(value, float) else str(value)
    max_length = getattr(model_field, "max_length", None)
    if max_length and len(text) > max_length:
        raise errors.UnprocessableEntity(f"{info.name}: the value is longer than {max_length} characters")
    return text


def _array_item(item) -> bool:
    return isinstance(item, str | int | float) and not isinstance(item, bool)


def _parsed(parse, text: str):
    """Django's parser's answer, None also for well-formed text out of range (`2020-13-45`)."""
    try:
        return parse(text)
    except ValueError:
        return None


def _datetime(info: FieldInfo, value):
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
        raise _invalid(info, "must be a datetime (YYYY-MM-DD HH:MM:SS)")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def _check_digits(info: FieldInfo, number: Decimal, model_field) -> None:
    if not number.is_finite():
        raise _invalid(info, "must be a finite number")
    _sign, digits, exponent = number.as_tuple()
    scale = max(0, -exponent)
    integer_digits = max(0, len(digits) + exponent)
    if scale > model_field.decimal_places or integer_digits > model_field.max_digits - model_field.decimal_places:
        raise errors.UnprocessableEntity(
            f"{info.name}: {number} does not fit {model_field.max_digits},{model_field.decimal_places}"
        )


def check_validation(info: FieldInfo, value) -> None:
    """The field's `validation` rule: a PHP-style regex (`/^.+$/i`) or `$email`."""
    rule = (info.meta or {}).get("validation")
    if not rule or value is None:
        return
    text = str(value)
    if rule == "$email":
        try:
            validate_email(text)
        except ValidationError:
            raise _invalid(info, "must be a valid email address") from None
        return
    pattern, flags = _php_regex(rule)
    try:
        compiled = re.compile(pattern, flags)
    except re.error:
        raise errors.UnprocessableEntity(f'{info.name}: invalid validation pattern "{rule}"') from None
    if not compiled.search(text):
        raise _invalid(info, "does not match the validation rule")


def _php_regex(rule: str) -> tuple[str, int]:
    if len(rule) >= 2 and not rule[0].isalnum() and rule[0] not in "\\ ":
        delimiter = {"(": ")", "[": "]", "{": "}", "<": ">"}.get(rule[0], rule[0])
        end = rule.rfind(delimiter)
        if end > 0:
            flags = 0
            for letter in rule[end + 1 :]:
                flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "u": 0}.get(letter, 0)
            return rule[1:end], flags
    return rule, 0


def slug_for(collection: CollectionInfo, info: FieldInfo, payload: dict) -> str | None:
    options = (info.meta or {}).get("options") or {}
    source = options.get("mirroredField") if isinstance(options, dict) else None
    if not source or source not in payload or info.name in payload:
        return None
    slug = slugify(str(payload[source] or ""))
    if options.get("forceLowercase", True) is False:
        # slugify lowercases; keep the source's case when asked to.
        slug = re.sub(r"[^\w\s-]", "", str(payload[source] or "")).strip()
        slug = re.sub(r"[-\s]+", "-", slug)
    return slug
