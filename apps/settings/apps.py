from django.apps import AppConfig


class SettingsConfig(AppConfig):
    name = "apps.settings"
    label = "directus_settings"
    verbose_name = "Settings"

    def ready(self):
        from apps.schema.signals import watch_config

        from .models import Setting

        watch_config(Setting)
