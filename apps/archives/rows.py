"""Table rows as JSON lines and back, for any engine.

Rows are read with plain SQL, page after page by primary key (one page in memory, whatever
the size of the table), and written as the column values the database holds: text exactly as
stored (a JSON or CSV text column is not parsed), numbers as numbers, decimals as strings,
datetimes in ISO 8601 with their UTC offset, binary values in base64. They go back through
the target model's fields, so each engine gets its own form (a boolean that SQLite kept as
`1` is `true` on PostgreSQL) while the text columns keep their exact content."""

import base64
import datetime
import decimal
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.utils import timezone

PAGE = 1000


class RowError(Exception):
    """A row that does not fit its table (message names the row)."""


# Out ---------------------------------------------------------------------------------------


def write_table(alias: str, model, path: Path) -> int:
    """Every row of `model`'s table as JSON lines in `path`; the number of rows."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    pk = model._meta.pk.column
    select = f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(model._meta.db_table)}"
    position = [f.column for f in fields].index(pk)
    count = 0
    last = None
    with open(path, "w", encoding="utf-8") as out:
        while True:
            where, params = ("", []) if last is None else (f" WHERE {quote(pk)} > %s", [last])
            with connection.cursor() as cursor:
                cursor.execute(f"{select}{where} ORDER BY {quote(pk)} LIMIT {PAGE}", params)
                page = cursor.fetchall()
            for values in page:
                row = {field.column: _plain(field, value) for field, value in zip(fields, values, strict=True)}
                out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += len(page)
            if len(page) < PAGE:
                return count
            last = page[-1][position]


def _plain(field, value):
    """A column's value as JSON holds it."""
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(field, models.JSONField) and not isinstance(value, str | type(None)):
            return json.dumps(value)
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):  # SQLite and MariaDB keep UTC without an offset
            value = value.replace(tzinfo=datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):  # a JSON column the driver parsed
        return json.dumps(value)
    return str(value)


# In ----------------------------------------------------------------------------------------


def read_table(path: Path, model, page: int = PAGE) -> Iterator[list]:
    """The rows of a JSON lines file as unsaved instances of `model`, a page at a time."""
    by_column = {field.column: field for field in model._meta.concrete_fields}
    batch = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise RowError(f"line {number} is not JSON") from exc
            if not isinstance(row, dict):
                raise RowError(f"line {number} is not a JSON object")
            unknown = sorted(set(row) - set(by_column))
            if unknown:
                raise RowError(f"line {number}: no column {', '.join(unknown)} in {model._meta.db_table}")
            try:
                values = {by_column[column].attname: _value(by_column[column], value) for column, value in row.items()}
            except (ValidationError, ValueError, TypeError, decimal.InvalidOperation) as exc:
                raise RowError(f"line {number}: {_reason(exc)}") from exc
            batch.append(model(**values))
            if len(batch) >= page:
                yield batch
                batch = []
    if batch:
        yield batch


def _value(field, value):
    """The model attribute that stores `value` as it was stored."""
    if value is None:
        return None
    if field.get_internal_type() in {"CharField", "TextField"}:
        return value  # kept as it is: a JSON or CSV text column is not parsed and re-written
    if isinstance(field, models.JSONField):
        return json.loads(value) if isinstance(value, str) else value
    value = field.to_python(value)
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


def _reason(exc: Exception) -> str:
    messages = getattr(exc, "messages", None)
    return "; ".join(messages) if messages else (str(exc) or type(exc).__name__)


def insert(alias: str, model, path: Path) -> int:
    """Every row of a JSON lines file into `model`'s table, keys as they are; the count."""
    count = 0
    for batch in read_table(path, model):
        model._base_manager.using(alias).bulk_create(batch)
        count += len(batch)
    return count
