"""The live schema of a project database: tables and their columns, with the details the
fields endpoints report (`datatype`, `length`, `primary_key`, `auto_increment`, `unique`...).

Django's introspection does not say everything Directus reports (SQL type names, unsigned,
auto-increment on every engine), so PostgreSQL and MariaDB are read from information_schema
(one query for all tables) and SQLite from its pragmas. Queries take bound parameters only."""

import functools
import re
from dataclasses import dataclass

from django.db import connections

from .ddl import is_aside


@functools.cache
def internal_tables() -> frozenset[str]:
    """This server's own tables in a project database (`django_*` bookkeeping, the mail and
    delivery queues): never listed as collections."""
    from apps.projects.tables import bookkeeping_tables

    return frozenset({"django_migrations", *bookkeeping_tables()})


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    datatype: str  # upper-case SQL type name, as the API reports it
    length: int | str | None
    nullable: bool
    default: object
    primary_key: bool
    auto_increment: bool
    unique: bool
    signed: bool
    comment: str | None = None


def table_names(alias: str) -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = [
            info.name
            for info in connection.introspection.get_table_list(cursor)
            if info.type == "t" and info.name not in internal_tables() and not is_aside(info.name)
        ]
    return sorted(tables)


def columns(alias: str, tables: list[str] | None = None) -> dict[str, list[ColumnInfo]]:
    """Columns of the given tables (all tables when None), in table order."""
    connection = connections[alias]
    wanted = table_names(alias) if tables is None else tables
    if not wanted:
        return {}
    if connection.vendor == "sqlite":
        found = {table: _sqlite_columns(connection, table) for table in wanted}
    elif connection.vendor == "postgresql":
        found = _postgres_columns(connection, wanted)
    else:
        found = _mysql_columns(connection, wanted)
    return {table: [column for column in found[table] if not is_aside(column.name)] for table in found}


def _sqlite_columns(connection, table: str) -> list[ColumnInfo]:
    with connection.cursor() as cursor:
        cursor.execute('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(%s)', [table])
        rows = cursor.fetchall()
        cursor.execute('SELECT name, "unique", origin FROM pragma_index_list(%s)', [table])
        unique_indexes = [name for name, unique, origin in cursor.fetchall() if unique and origin != "pk"]
        unique_columns = set()
        for index in unique_indexes:
            cursor.execute("SELECT name FROM pragma_index_info(%s)", [index])
            names = [row[0] for row in cursor.fetchall()]
            if len(names) == 1:
                unique_columns.add(names[0])
    pk_columns = [name for name, _, _, _, pk in rows if pk]
    result = []
    for name, declared, notnull, default, pk in rows:
        datatype, length = _split_type(declared or "TEXT")
        # An INTEGER primary key is SQLite's rowid: always assigned when not given.
        auto = datatype == "INT" and bool(pk) and len(pk_columns) == 1
        result.append(
            ColumnInfo(
                name=name,
                datatype=datatype,
                length=length,
                nullable=not notnull and not pk,
                default=_clean_default(default),
                primary_key=bool(pk),
                auto_increment=auto,
                unique=name in unique_columns,
                signed="UNSIGNED" not in (declared or "").upper(),
            )
        )
    return result


_POSTGRES_TYPES = {
    "character varying": "VARCHAR",
    "character": "CHAR",
    "text": "TEXT",
    "integer": "INT",
    "smallint": "SMALLINT",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "numeric": "DECIMAL",
    "real": "FLOAT",
    "double precision": "DOUBLE",
    "date": "DATE",
    "timestamp with time zone": "DATETIME",
    "timestamp without time zone": "DATETIME",
    "time without time zone": "TIME",
    "time with time zone": "TIME",
    "bytea": "BLOB",
    "json": "JSON",
    "jsonb": "JSON",
    "uuid": "CHAR",
}


def _postgres_columns(connection, tables: list[str]) -> dict[str, list[ColumnInfo]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name, c.column_name, c.data_type, c.character_maximum_length,
                   c.numeric_precision, c.numeric_scale, c.is_nullable, c.column_default,
                   c.is_identity, col_description(format('%%I', c.table_name)::regclass, c.ordinal_position)
            FROM information_schema.columns c
            WHERE c.table_schema = current_schema() AND c.table_name = ANY(%s)
            ORDER BY c.table_name, c.ordinal_position
            """,
            [list(tables)],
        )
        rows = cursor.fetchall()
        cursor.execute(
            """
            SELECT tc.table_name, tc.constraint_type, array_agg(kcu.column_name::text)
            FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu
              ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
             AND kcu.table_name = tc.table_name
            WHERE tc.table_schema = current_schema() AND tc.table_name = ANY(%s)
              AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE')
            GROUP BY tc.table_name, tc.constraint_name, tc.constraint_type
            """,
            [list(tables)],
        )
        keys = cursor.fetchall()
        # PostgreSQL has no unsigned integers: an unsigned column is one with a `>= 0` check.
        cursor.execute(
            """
            SELECT rel.relname, att.attname, pg_get_constraintdef(con.oid)
            FROM pg_constraint con
            JOIN pg_class rel ON rel.oid = con.conrelid
            JOIN pg_namespace nsp ON nsp.oid = rel.relnamespace
            JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
            WHERE con.contype = 'c' AND nsp.nspname = current_schema() AND rel.relname = ANY(%s)
              AND cardinality(con.conkey) = 1
            """,
            [list(tables)],
        )
        unsigned = {
            (table, column) for table, column, definition in cursor.fetchall() if _non_negative(column, definition)
        }
    primary = {(table, cols[0]) for table, kind, cols in keys if kind == "PRIMARY KEY" and len(cols) == 1}
    primary |= {(table, col) for table, kind, cols in keys if kind == "PRIMARY KEY" for col in cols}
    unique = {(table, cols[0]) for table, kind, cols in keys if kind == "UNIQUE" and len(cols) == 1}
    result: dict[str, list[ColumnInfo]] = {table: [] for table in tables}
    for table, name, data_type, char_len, precision, scale, nullable, default, identity, comment in rows:
        datatype = _POSTGRES_TYPES.get(data_type, data_type.upper())
        auto = identity == "YES" or (isinstance(default, str) and default.startswith("nextval("))
        if datatype == "DECIMAL":
            length = f"{precision},{scale}"
        elif datatype in {"VARCHAR", "CHAR"}:
            length = char_len
        elif datatype in {"INT", "SMALLINT", "BIGINT"}:
            # Decimal digits, as MySQL reports display widths (PostgreSQL counts bits).
            length = {"SMALLINT": 5, "INT": 10, "BIGINT": 20}[datatype]
        else:
            length = None
        result[table].append(
            ColumnInfo(
                name=name,
                datatype=datatype,
                length=length,
                nullable=nullable == "YES",
                default=None if auto else _clean_default(default),
                primary_key=(table, name) in primary,
                auto_increment=auto,
                unique=(table, name) in unique,
                signed=(table, name) not in unsigned,
                comment=comment,
            )
        )
    return result


def _non_negative(column: str, definition: str) -> bool:
    """A check constraint that says `column >= 0` (as Django writes it for unsigned integers)."""
    match = re.fullmatch(r'CHECK \(+"?([^"()]+?)"?\s*>=\s*0\)+', definition.strip())
    return match is not None and match.group(1) == column


def _mysql_columns(connection, tables: list[str]) -> dict[str, list[ColumnInfo]]:
    placeholders = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT table_name, column_name, data_type, column_type, character_maximum_length,
                   numeric_precision, numeric_scale, is_nullable, column_default, column_key, extra,
                   column_comment
            FROM information_schema.columns
            WHERE table_schema = DATABASE() AND table_name IN ({placeholders})
            ORDER BY table_name, ordinal_position
            """,
            list(tables),
        )
        rows = cursor.fetchall()
    result: dict[str, list[ColumnInfo]] = {table: [] for table in tables}
    for (
        table,
        name,
        data_type,
        column_type,
        char_len,
        precision,
        scale,
        nullable,
        default,
        key,
        extra,
        comment,
    ) in rows:
        datatype = data_type.upper()
        if datatype in {"DECIMAL", "NUMERIC"}:
            length = f"{precision},{scale}"
        elif datatype in {"VARCHAR", "CHAR", "VARBINARY", "BINARY"}:
            length = char_len
        else:
            match = re.search(r"\((\d+)\)", column_type or "")
            length = int(match.group(1)) if match and "INT" in datatype else precision if "INT" in datatype else None
        result[table].append(
            ColumnInfo(
                name=name,
                datatype=datatype,
                length=length,
                nullable=nullable == "YES",
                default=_clean_default(default),
                primary_key=key == "PRI",
                auto_increment="auto_increment" in (extra or "").lower(),
                unique=key == "UNI",
                signed="unsigned" not in (column_type or "").lower(),
                comment=comment or None,
            )
        )
    return result


def _split_type(declared: str) -> tuple[str, int | str | None]:
    match = re.match(r"\s*([A-Za-z ]+?)\s*(?:\(([^)]*)\))?\s*(unsigned)?\s*$", declared, re.IGNORECASE)
    if not match:
        return declared.upper(), None
    name = match.group(1).upper()
    name = {"INTEGER": "INT", "BOOL": "BOOLEAN", "REAL": "FLOAT"}.get(name, name)
    raw = match.group(2)
    if raw is None:
        return name, None
    raw = raw.replace(" ", "")
    return name, int(raw) if raw.isdigit() else raw


def _clean_default(default):
    if default is None:
        return None
    if isinstance(default, str):
        text = default.strip()
        if text.upper() == "NULL":
            return None
        # PostgreSQL renders literals with casts: 'draft'::character varying; SQLite keeps the
        # cast Django writes for a decimal default: CAST('1.50' AS NUMERIC).
        text = re.sub(r"::[a-z ]+(\[\])?$", "", text)
        cast = re.fullmatch(r"CAST\((.*) AS [A-Za-z ]+\)", text, re.IGNORECASE)
        if cast:
            text = cast.group(1).strip()
        if len(text) >= 2 and text[0] == text[-1] == "'":
            return text[1:-1].replace("''", "'")
        return text
    return default
