from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self):
        from . import lookups  # noqa: F401  (registers the `exactly` lookup)
