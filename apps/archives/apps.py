from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "apps.archives"
    label = "directus_archives"
    verbose_name = "Project archives"
