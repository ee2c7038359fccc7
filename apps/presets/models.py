from django.db import models

from apps.core.fields import JSONTextField


class CollectionPreset(models.Model):
    title = models.CharField(max_length=255, null=True, blank=True)
    user = models.IntegerField(null=True, blank=True)
    role = models.IntegerField(null=True, blank=True)
    collection = models.CharField(max_length=64)
    search_query = models.CharField(max_length=100, null=True, blank=True)
    filters = JSONTextField(null=True, blank=True)
    view_type = models.CharField(max_length=100, default="tabular")
    view_query = JSONTextField(null=True, blank=True)
    view_options = JSONTextField(null=True, blank=True)
    translation = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "directus_collection_presets"
        constraints = [
            models.UniqueConstraint(fields=["user", "collection", "title"], name="idx_user_collection_title")
        ]
