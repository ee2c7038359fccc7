from django.apps import AppConfig


class ExtensionsConfig(AppConfig):
    name = "apps.extensions"
    label = "directus_extensions"
