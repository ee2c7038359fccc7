from django.db import models


class Setting(models.Model):
    key = models.CharField(max_length=64, unique=True)
    value = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "directus_settings"

    def __str__(self):
        return self.key
