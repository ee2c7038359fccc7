"""What a database error means, told by the driver's own error code rather than its text.

Django raises its own classes (OperationalError...) with the driver's exception as the cause."""

# PostgreSQL SQLSTATE query_canceled: statement_timeout, or an operator's pg_cancel_backend().
_PG_CANCELED = "57014"
# MariaDB ER_STATEMENT_TIMEOUT (max_statement_time), MySQL ER_QUERY_TIMEOUT (max_execution_time).
_MYSQL_TIMEOUTS = {1969, 3024}
_SQLITE_INTERRUPT = 9  # our progress handler stopped the statement


def driver_error(exc: BaseException) -> BaseException:
    return exc.__cause__ or exc


def is_statement_timeout(exc: BaseException) -> bool:
    cause = driver_error(exc)
    if getattr(cause, "sqlstate", None) == _PG_CANCELED:
        return True
    if getattr(cause, "sqlite_errorcode", None) == _SQLITE_INTERRUPT:
        return True
    args = getattr(cause, "args", ())
    return type(cause).__module__.startswith(("pymysql", "MySQLdb")) and bool(args) and args[0] in _MYSQL_TIMEOUTS
