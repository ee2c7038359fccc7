from django.db import models

from apps.core.fields import JSONTextField


class Revision(models.Model):
    activity = models.IntegerField()
    collection = models.CharField(max_length=64)
    item = models.CharField(max_length=255)
    data = JSONTextField()
    delta = JSONTextField(null=True, blank=True)
    parent_collection = models.CharField(max_length=64, null=True, blank=True)
    parent_item = models.CharField(max_length=255, null=True, blank=True)
    parent_changed = models.BooleanField(default=False)

    class Meta:
        db_table = "directus_revisions"
