"""Rows of the system tables as Directus 8 sends them: keyed by column name, datetimes as
`YYYY-MM-DD HH:MM:SS` (UTC), decimals as numbers, CSV and JSON columns already decoded."""

import datetime
from decimal import Decimal

from django.db import models


def plain_datetime(value: datetime.datetime) -> str:
    tz = value.tzinfo
    if tz is not datetime.UTC and tz is not None and value.utcoffset():  # aware and not UTC
        value = value.astimezone(datetime.UTC)
    return value.isoformat(" ", "seconds")[:19]  # without the zone; years zero-padded as PHP's `Y`


def wire_value(value):
    if isinstance(value, datetime.datetime):
        return plain_datetime(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, Decimal):
        return float(value)
    return value


def row_to_dict(instance: models.Model, *, exclude: frozenset[str] | set[str] = frozenset()) -> dict:
    """A model instance as a Directus item; `exclude` names columns to leave out."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.column in exclude:
            continue
        data[field.column] = wire_value(field.value_from_object(instance))
    return data
