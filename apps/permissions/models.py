from django.db import models

from apps.core.fields import CSVCharField


class Permission(models.Model):
    collection = models.CharField(max_length=64)
    role = models.IntegerField()
    status = models.CharField(max_length=64, null=True, blank=True)
    create = models.CharField(max_length=16, null=True, blank=True, default="none")
    read = models.CharField(max_length=16, null=True, blank=True, default="none")
    update = models.CharField(max_length=16, null=True, blank=True, default="none")
    delete = models.CharField(max_length=16, null=True, blank=True, default="none")
    comment = models.CharField(max_length=8, null=True, blank=True, default="none")
    explain = models.CharField(max_length=8, null=True, blank=True, default="none")
    read_field_blacklist = CSVCharField(max_length=1000, null=True, blank=True)
    write_field_blacklist = CSVCharField(max_length=1000, null=True, blank=True)
    status_blacklist = CSVCharField(max_length=1000, null=True, blank=True)

    class Meta:
        db_table = "directus_permissions"

    def __str__(self):
        return f"{self.collection} / role {self.role}"
