from django.db import models
from django.utils import timezone


class Webhook(models.Model):
    status = models.CharField(max_length=16, default="inactive")
    http_action = models.CharField(max_length=255, null=True, blank=True)
    url = models.CharField(max_length=510, null=True, blank=True)
    collection = models.CharField(max_length=255, null=True, blank=True)
    directus_action = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        db_table = "directus_webhooks"


class Delivery(models.Model):
    """One webhook call to make: queued in the transaction of the write that caused it, sent by the
    delivery worker (apps.webhooks.queue)."""

    QUEUED, SENT, FAILED, CANCELLED = "queued", "sent", "failed", "cancelled"
    STATUSES = [(QUEUED, "queued"), (SENT, "sent"), (FAILED, "failed"), (CANCELLED, "cancelled")]

    id = models.BigAutoField(primary_key=True)
    # The directus_webhooks row it was made for; not a foreign key: a delivery outlives its hook's
    # deletion (it is cancelled when sent, not lost from the operator's view).
    webhook = models.IntegerField()
    event = models.CharField(max_length=255)  # item.create.articles:after
    method = models.CharField(max_length=8)  # GET or POST
    url = models.CharField(max_length=510)
    body = models.TextField(null=True, blank=True)  # the JSON payload of a POST
    status = models.CharField(max_length=16, choices=STATUSES, default=QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    created_on = models.DateTimeField(default=timezone.now)
    due_on = models.DateTimeField(default=timezone.now)
    # A worker that takes a delivery claims it until then; a worker that died mid-send leaves the
    # claim to run out, and the next pass sends the delivery again.
    claimed_by = models.CharField(max_length=32, null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    finished_on = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        db_table = "django_directus_webhook_delivery"
        indexes = [models.Index(fields=["status", "due_on"], name="webhook_delivery_due")]
        verbose_name_plural = "deliveries"
