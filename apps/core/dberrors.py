"""What a database error means, told by the driver's own error code rather than its text.

Django raises its own classes (OperationalError...) with the driver's exception as the cause."""

# PostgreSQL SQLSTATE query_canceled: statement_timeout, or an operator's pg_cancel_backend().
_PG_CANCELED = "57014"
# MariaDB ER_STATEMENT_TIMEOUT (max_statement_time), MySQL ER_QUERY_TIMEOUT (max_execution_time).
_MYSQL_TIMEOUTS = {1969, 3024}
_SQLITE_INTERRUPT = 9  # our progress handler stopped the statement

# A statement naming a column or table the database does not have (any more).
_PG_UNDEFINED = {"42703", "42P01"}  # undefined_column, undefined_table
_MYSQL_UNDEFINED = {1054, 1146}  # ER_BAD_FIELD_ERROR, ER_NO_SUCH_TABLE
_SQLITE_UNDEFINED = ("no such column", "has no column named", "no such table")


def driver_error(exc: BaseException) -> BaseException:
    return exc.__cause__ or exc


def _mysql_errno(cause: BaseException) -> int | None:
    args = getattr(cause, "args", ())
    if type(cause).__module__.startswith(("pymysql", "MySQLdb")) and args and isinstance(args[0], int):
        return args[0]
    return None


def is_undefined_name(exc: BaseException) -> bool:
    """The statement names a column or table that is not there: the schema changed under it."""
    cause = driver_error(exc)
    if getattr(cause, "sqlstate", None) in _PG_UNDEFINED or _mysql_errno(cause) in _MYSQL_UNDEFINED:
        return True
    return type(cause).__module__ == "sqlite3" and any(marker in str(cause) for marker in _SQLITE_UNDEFINED)


def is_statement_timeout(exc: BaseException) -> bool:
    cause = driver_error(exc)
    if getattr(cause, "sqlstate", None) == _PG_CANCELED:
        return True
    if getattr(cause, "sqlite_errorcode", None) == _SQLITE_INTERRUPT:
        return True
    return _mysql_errno(cause) in _MYSQL_TIMEOUTS
