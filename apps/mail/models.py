from django.db import models


class SendingLease(models.Model):
    """Who sends a project's mail queue right now (apps.mail.outbox): one delivery worker at a
    time, on any host, until `until`; a worker that died leaves the lease to run out."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=32)
    until = models.DateTimeField()

    class Meta:
        db_table = "django_directus_sending_lease"
