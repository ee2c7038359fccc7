"""Schema metadata of a project: directus_collections, directus_fields, directus_relations."""

from django.db import models

from apps.core.fields import JSONTextField


class Collection(models.Model):
    collection = models.CharField(max_length=64, primary_key=True)
    managed = models.BooleanField(default=True)
    hidden = models.BooleanField(default=False)
    single = models.BooleanField(default=False)
    icon = models.CharField(max_length=30, null=True, blank=True)
    note = models.CharField(max_length=255, null=True, blank=True)
    translation = JSONTextField(null=True, blank=True)

    class Meta:
        db_table = "directus_collections"

    def __str__(self):
        return self.collection


class Field(models.Model):
    collection = models.CharField(max_length=64)
    field = models.CharField(max_length=64)
    type = models.CharField(max_length=64)
    interface = models.CharField(max_length=64, null=True, blank=True)
    options = JSONTextField(null=True, blank=True)
    locked = models.BooleanField(default=False)
    validation = models.CharField(max_length=500, null=True, blank=True)
    required = models.BooleanField(default=False)
    readonly = models.BooleanField(default=False)
    hidden_detail = models.BooleanField(default=False)
    hidden_browse = models.BooleanField(default=False)
    sort = models.IntegerField(null=True, blank=True)
    width = models.CharField(max_length=50, null=True, blank=True, default="full")
    group = models.IntegerField(null=True, blank=True)
    note = models.CharField(max_length=1024, null=True, blank=True)
    translation = JSONTextField(null=True, blank=True)

    class Meta:
        db_table = "directus_fields"
        constraints = [models.UniqueConstraint(fields=["collection", "field"], name="idx_collection_field")]

    def __str__(self):
        return f"{self.collection}.{self.field}"


class Relation(models.Model):
    collection_many = models.CharField(max_length=64)
    field_many = models.CharField(max_length=45)
    collection_one = models.CharField(max_length=64, null=True, blank=True)
    field_one = models.CharField(max_length=64, null=True, blank=True)
    junction_field = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        db_table = "directus_relations"

    def __str__(self):
        return f"{self.collection_many}.{self.field_many} -> {self.collection_one}"


class Migration(models.Model):
    """Directus 8's own migration bookkeeping (Phinx); kept so adopted databases stay intact."""

    version = models.BigIntegerField(primary_key=True)
    migration_name = models.CharField(max_length=100, null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    breakpoint = models.BooleanField(default=False)

    class Meta:
        db_table = "directus_migrations"


class SchemaVersion(models.Model):
    """Version counters of the schema, read by every worker to know when its cached collection
    descriptions and run-time models are stale. Row "*" changes on every schema change; the
    other rows name the collections a change touched."""

    GLOBAL = "*"

    collection = models.CharField(max_length=64, primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "django_directus_schema"

    def __str__(self):
        return f"{self.collection}@{self.version}"
