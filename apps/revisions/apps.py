from django.apps import AppConfig


class RevisionsConfig(AppConfig):
    name = "apps.revisions"
    label = "revisions"
    verbose_name = "Revisions"
