"""A plain item create as one statement on PostgreSQL.

Created in a transaction, one item costs four round trips: BEGIN, its INSERT ... RETURNING, the
activity row with the revision (audit.py), COMMIT. When nothing else is written with it, one
data-modifying WITH writes all three rows; a statement is atomic by itself, so it runs in
autocommit and either all three rows exist or none does:

    WITH "created_item" AS (INSERT INTO "articles" (...) VALUES (...) RETURNING <every column>),
         "created_activity" AS (INSERT INTO "directus_activity" (..., "item", ...)
                                VALUES (..., (SELECT "id"::text FROM "created_item"), ...) RETURNING "id"),
         "created_revision" AS (INSERT INTO "directus_revisions" ("activity", ..., "data", ...)
                                VALUES ((SELECT "id" FROM "created_activity"), ...,
                                        (%s || (SELECT "id"::text FROM "created_item") || %s), ...))
    SELECT * FROM "created_item"

The revision's `data` is the row as stored, in the JSON text the server records for it. Here it
is written before the row exists, from the values the INSERT sends, so this is done only where
the database stores each of them exactly as sent (`stored_as_sent`): integers, booleans, text,
dates and times at full precision, in a plain table that no trigger or rule changes. The
generated key is the one value only the database knows: the statement writes its text into the
JSON (`around_key`). Which creates are plain is decided by the writer (services.py) and the item
service (operations.py)."""

import datetime
import re
from collections.abc import Callable

from django.db import connections
from django.db.models.expressions import RawSQL

from apps.activity.models import Activity
from apps.core.fields import json_text
from apps.core.inserts import CompiledInsert
from apps.revisions.models import Revision

# Stands for the generated key in the predicted row until the statement gives the key. Values
# written never hold a NUL (apps.core.text), so its JSON text, `"\u0000key\u0000"`, can come from
# nothing else.
KEY = "\x00key\x00"
_KEY_JSON = json_text(KEY)

# A value the database may store otherwise than sent.
UNKNOWN = object()
# Columns the database fills itself (identity, generated): no value of theirs is known.
FILLED = object()


def _integer(value):
    # Django binds integers as psycopg's sized ints (Int4...), which are ints.
    return int(value) if isinstance(value, int) and value.__class__ is not bool else UNKNOWN


def _boolean(value):
    return value if value.__class__ is bool else UNKNOWN


def _text(limit: int | None) -> Callable:
    # A longer value fails, or loses trailing spaces when only spaces are over (PostgreSQL).
    return lambda value: value if value.__class__ is str and (limit is None or len(value) <= limit) else UNKNOWN


def _padded(length: int) -> Callable:
    # character(n) keeps its values padded with spaces to n.
    return lambda value: value.ljust(length) if value.__class__ is str and len(value) <= length else UNKNOWN


def _aware(value):
    if value.__class__ is not datetime.datetime or value.utcoffset() is None:
        return UNKNOWN
    return value.astimezone(datetime.UTC)


def _naive_utc(value):
    # timestamp without time zone: the instant in the session's zone (UTC, as Django sets it).
    aware = _aware(value)
    return aware if aware is UNKNOWN else aware.replace(tzinfo=None)


def _date(value):
    return value if value.__class__ is datetime.date else UNKNOWN


def _time(value):
    return value if value.__class__ is datetime.time and value.tzinfo is None else UNKNOWN


# Column types (as format_type() names them) that store a prepared value of these classes as it
# is. Numerics, floats, JSON (jsonb reorders keys), binary data, UUIDs (lowercased), and times
# and timestamps of a lower precision (rounded) are not among them.
_STORED_AS_SENT: dict[str, Callable] = {
    "smallint": _integer,
    "integer": _integer,
    "bigint": _integer,
    "boolean": _boolean,
    "text": _text(None),
    "character varying": _text(None),
    "timestamp with time zone": _aware,
    "timestamp without time zone": _naive_utc,
    "date": _date,
    "time without time zone": _time,
}
_SIZED = re.compile(r"(character varying|character)\((\d+)\)")

_CATALOG = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity <> '' OR a.attgenerated <> '',
       c.relkind = 'r' AND NOT c.relhasrules AND current_setting('server_encoding') = 'UTF8'
       AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.oid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
"""


def stored_as_sent(alias: str, table: str) -> dict[str, Callable | None] | None:
    """Column -> its `kind_of` (None: only NULL is stored as sent), or FILLED for one the
    database fills; None for the whole table when anything may change a row on its way in: a
    trigger, a rule, a table that is not a plain one (a view, a partitioned table), a database
    not in UTF-8.

    Read from the catalog once per model (the writer keeps it with the schema version): after
    adding a trigger by hand, run `manage.py refresh_project`."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_CATALOG, [connection.ops.quote_name(table)])
        rows = cursor.fetchall()
    if not rows or not all(plain for *_column, plain in rows):
        return None
    return {name: FILLED if filled else kind_of(column_type) for name, column_type, filled, _plain in rows}


def kind_of(column_type: str) -> Callable | None:
    """For a column type as format_type() names it, the value it stores for a prepared value
    (UNKNOWN when that may differ); None when any value may be stored otherwise."""
    sized = _SIZED.fullmatch(column_type)
    if sized is None:
        return _STORED_AS_SENT.get(column_type)
    length = int(sized.group(2))
    return _text(length) if sized.group(1) == "character varying" else _padded(length)


def predicted_row(kinds: dict, fields: list, key_field, values: list) -> list | None:
    """The row an INSERT of `values` (prepared, one per field but the generated key) returns,
    in the order of `fields`, KEY in place of the key; None when any value may be stored
    otherwise than sent."""
    row = []
    sent = iter(values)
    for field in fields:
        if field is key_field:
            row.append(KEY)
            continue
        value = next(sent)
        kind = kinds.get(field.column, FILLED)  # a column the table lacks: its INSERT would fail
        if kind is FILLED or (value is not None and kind is None):
            return None
        if value is not None:
            value = kind(value)
            if value is UNKNOWN:
                return None
        row.append(value)
    return row


def around_key(recorded: dict) -> tuple[str, str] | None:
    """The revision's `data` text for `recorded` (the row as revisions keep it, KEY for the key),
    as the text before and after the key's; None when KEY is not there once."""
    head, found, tail = json_text(recorded).partition(_KEY_JSON)
    if not found or _KEY_JSON in tail:
        return None
    return head, tail


_ACTIVITY = CompiledInsert(Activity)
_REVISION = CompiledInsert(Revision)
_ITEM, _ACTIVITY_ROW = '"created_item"', '"created_activity"'


def statement(alias: str, item_sql: str, key_column: str) -> str:
    """The WITH of the module's docstring around an INSERT ... RETURNING every column of the
    item. Its parameters: the item's, then `audit_params()`."""
    connection = connections[alias]
    key_text = f"SELECT {connection.ops.quote_name(key_column)}::text FROM {_ITEM}"
    activity = Activity()
    activity.item = RawSQL(key_text, ())
    activity_sql, _params, _returning = _ACTIVITY.as_sql(alias, row=activity, returning=[Activity._meta.pk])
    revision = Revision()
    revision.activity = RawSQL(f"SELECT {connection.ops.quote_name(Activity._meta.pk.column)} FROM {_ACTIVITY_ROW}", ())
    revision.item = RawSQL(key_text, ())
    revision.data = RawSQL(f"%s || ({key_text}) || %s", ())
    revision_sql, _params, _returning = _REVISION.as_sql(alias, row=revision)
    return (
        f"WITH {_ITEM} AS ({item_sql}), {_ACTIVITY_ROW} AS ({activity_sql}), "
        f'"created_revision" AS ({revision_sql}) SELECT * FROM {_ITEM}'
    )


def audit_params(alias: str, activity: dict, revision: dict, data: tuple[str, str]) -> list:
    """The parameters of the activity row and the revision (apps.items.audit.row and the
    revision's columns, without the ones the statement computes); `data` from `around_key`."""
    connection = connections[alias]
    return _ACTIVITY.params(connection, activity, computed={"item": ()}) + _REVISION.params(
        connection, revision, computed={"activity": (), "item": (), "data": data}
    )
