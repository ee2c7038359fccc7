"""Tables of the control database that the API itself uses (the registry is in apps.projects)."""

from django.db import models


class ThrottleWindow(models.Model):
    """One open window of an attempt counter (apps.auth.throttling), kept where every worker of
    the host sees it when there is no Redis."""

    key = models.CharField(max_length=128, unique=True)
    count = models.IntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "django_directus_throttle"
