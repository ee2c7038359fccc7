from django.db.backends.mysql import base

from .. import RecentUseHealthCheck


class DatabaseWrapper(RecentUseHealthCheck, base.DatabaseWrapper):
    def limit_statements(self, seconds: float) -> None:
        if seconds <= 0:
            return
        with self.cursor() as cursor:
            if self.mysql_is_mariadb:
                cursor.execute("SET SESSION max_statement_time = %s", [seconds])
            else:  # MySQL limits only SELECT statements, in milliseconds
                cursor.execute("SET SESSION max_execution_time = %s", [max(round(seconds * 1000), 1)])
