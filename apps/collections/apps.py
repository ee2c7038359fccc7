from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "apps.collections"
    label = "directus_collections_api"
    verbose_name = "Collections API"
