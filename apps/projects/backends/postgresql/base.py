from django.db.backends.postgresql import base

from .. import RecentUseHealthCheck


class DatabaseWrapper(RecentUseHealthCheck, base.DatabaseWrapper):
    pass
