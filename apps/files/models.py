from django.db import models

from apps.core.fields import CSVCharField, JSONTextField


class File(models.Model):
    storage = models.CharField(max_length=50, default="local")
    private_hash = models.CharField(max_length=16, null=True, blank=True)
    filename_disk = models.CharField(max_length=255)
    filename_download = models.CharField(max_length=255)
    title = models.CharField(max_length=255, null=True, blank=True)
    type = models.CharField(max_length=255, null=True, blank=True)
    uploaded_by = models.IntegerField()
    uploaded_on = models.DateTimeField()
    charset = models.CharField(max_length=50, null=True, blank=True)
    filesize = models.IntegerField(default=0)
    width = models.IntegerField(null=True, blank=True)
    height = models.IntegerField(null=True, blank=True)
    duration = models.IntegerField(null=True, blank=True)
    embed = models.CharField(max_length=200, null=True, blank=True)
    folder = models.IntegerField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    location = models.CharField(max_length=200, null=True, blank=True)
    tags = CSVCharField(max_length=255, null=True, blank=True)
    checksum = models.CharField(max_length=32, null=True, blank=True)
    metadata = JSONTextField(null=True, blank=True)

    class Meta:
        db_table = "directus_files"
