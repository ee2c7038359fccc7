from django.apps import AppConfig


class SchemaConfig(AppConfig):
    name = "apps.schema"
    label = "schema"
    verbose_name = "Schema"

    def ready(self):
        from apps.core.rerun import register_change_check

        from .cache import schema_moved

        register_change_check(schema_moved)
