from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "apps.scim"
    label = "directus_scim"
