from django.apps import AppConfig


class SettingsConfig(AppConfig):
    name = "apps.settings"
    label = "directus_settings"
    verbose_name = "Settings"
