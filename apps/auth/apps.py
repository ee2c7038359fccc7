from django.apps import AppConfig


class AuthConfig(AppConfig):
    name = "apps.auth"
    label = "directus_auth"
    verbose_name = "Authentication"
