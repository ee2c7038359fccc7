from django.db import models


class Webhook(models.Model):
    status = models.CharField(max_length=16, default="inactive")
    http_action = models.CharField(max_length=255, null=True, blank=True)
    url = models.CharField(max_length=510, null=True, blank=True)
    collection = models.CharField(max_length=255, null=True, blank=True)
    directus_action = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        db_table = "directus_webhooks"
