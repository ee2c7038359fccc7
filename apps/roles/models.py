import uuid

from django.db import models

from apps.core.fields import CSVField, JSONTextField

ADMIN_ROLE_ID = 1
PUBLIC_ROLE_ID = 2


def new_external_id() -> str:
    return str(uuid.uuid4())


class Role(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=500, null=True, blank=True)
    ip_whitelist = CSVField(null=True, blank=True)
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True, default=new_external_id)
    module_listing = JSONTextField(null=True, blank=True)
    collection_listing = JSONTextField(null=True, blank=True)
    enforce_2fa = models.BooleanField(default=False)

    class Meta:
        db_table = "directus_roles"

    def __str__(self):
        return self.name
