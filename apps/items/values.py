"""Payload values checked for their field: the checks every type shares, then the type's own rule
for what its column stores (apps.schema.columns), and the field's validation rule."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from apps.core import errors
from apps.core.phpregex import php_regex
from apps.core.text import has_nul
from apps.schema.columns import invalid
from apps.schema.description import FieldInfo


def to_column(collection: str, info: FieldInfo, value, model_field):
    """The value to store for one payload key (after relational values were resolved)."""
    if value is None:
        return None
    field_type = info.field_type
    if isinstance(value, dict | list) and not field_type.structured:
        raise errors.ArrayValueNotAllowed(
            f'Attempting to write an array as the value for field "{info.name}" in "{collection}"'
        )
    if has_nul(value):
        # PostgreSQL cannot store it in text; refused on every engine so they all answer alike.
        raise invalid(info, "must not contain NUL characters")
    return field_type.to_column(info, value, model_field)


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
            raise invalid(info, "must be a valid email address") from None
        return
    pattern, flags = php_regex(rule)
    try:
        compiled = re.compile(pattern, flags)
    except re.error:
        raise errors.UnprocessableEntity(f'{info.name}: invalid validation pattern "{rule}"') from None
    if not compiled.search(text):
        raise invalid(info, "does not match the validation rule")
