from django.apps import AppConfig


class SchemaConfig(AppConfig):
    name = "apps.schema"
    label = "schema"
    verbose_name = "Schema"

    def ready(self):
        from . import signals

        signals.connect()
