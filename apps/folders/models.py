from django.db import models


class Folder(models.Model):
    name = models.CharField(max_length=191)
    parent_folder = models.IntegerField(null=True, blank=True)

    class Meta:
        db_table = "directus_folders"
        constraints = [models.UniqueConstraint(fields=["name", "parent_folder"], name="idx_name_parent_folder")]

    def __str__(self):
        return self.name
