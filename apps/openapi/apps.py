from django.apps import AppConfig


class OpenAPIConfig(AppConfig):
    name = "apps.openapi"
    label = "directus_openapi"
    verbose_name = "OpenAPI"
