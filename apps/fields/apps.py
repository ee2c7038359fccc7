from django.apps import AppConfig


class FieldsConfig(AppConfig):
    name = "apps.fields"
    label = "directus_fields_api"
    verbose_name = "Fields API"
