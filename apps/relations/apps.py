from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "apps.relations"
    label = "directus_relations_api"
    verbose_name = "Relations API"
