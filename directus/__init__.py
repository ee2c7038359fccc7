try:  # MariaDB/MySQL through PyMySQL when mysqlclient (which needs C headers) is not installed.
    import MySQLdb  # noqa: F401
except ImportError:
    try:
        import pymysql

        pymysql.install_as_MySQLdb()
    except ImportError:
        pass
