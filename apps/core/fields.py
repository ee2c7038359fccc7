"""Model fields for the ways Directus 8 stores structured values in plain text columns."""

import json
from functools import partial

from django.db import models

# The text JSONTextField stores for a value that is not a string.
json_text = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))

# Django's fields of whole numbers, by internal type (`Field.get_internal_type()`).
INTEGER_FIELDS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


class CSVField(models.TextField):
    """Directus `array`: a list stored as comma-separated text (NULL or '' reads as [])."""

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple):
            return [str(item) for item in value]
        return [item for item in str(value).split(",") if item != ""]

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, list | tuple):
            return ",".join(str(item) for item in value)
        return str(value)


class CSVCharField(CSVField):
    """`array` stored in a VARCHAR column (Directus uses varchar(1000) for blacklists)."""

    def get_internal_type(self):
        return "CharField"

    def formfield(self, **kwargs):
        return models.CharField.formfield(self, **kwargs)


class JSONTextField(models.TextField):
    """Directus `json`: JSON kept as text. Strings are stored as given; other values encoded.
    Text that is not valid JSON reads back as the raw string, as Directus 8 returns it."""

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value

    def get_prep_value(self, value):
        if value is None or isinstance(value, str):
            return value
        return json_text(value)
