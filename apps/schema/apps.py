from django.apps import AppConfig


class SchemaConfig(AppConfig):
    name = "apps.schema"
    label = "schema"
    verbose_name = "Schema"
