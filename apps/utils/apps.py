from django.apps import AppConfig


class UtilsConfig(AppConfig):
    name = "apps.utils"
    label = "directus_utils"
