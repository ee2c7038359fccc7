from django.db.backends.mysql import base

from .. import RecentUseHealthCheck


class DatabaseWrapper(RecentUseHealthCheck, base.DatabaseWrapper):
    pass
