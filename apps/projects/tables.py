"""The tables every project database has: Directus 8's `directus_*` and our own bookkeeping."""

from django.apps import apps as django_apps

from .routing import PROJECT_APP_LABELS

DIRECTUS_TABLE_PREFIX = "directus_"
# App labels with migrations and directus_* tables ("runtime" models are built at run time).
SYSTEM_APP_LABELS = PROJECT_APP_LABELS - {"runtime"}


def system_models() -> list:
    """The models of the tables every project database has: directus_* and our bookkeeping
    (the mail queue's many-to-many table included)."""
    return [
        model
        for model in django_apps.get_models(include_auto_created=True)
        if model._meta.app_label in SYSTEM_APP_LABELS and model._meta.managed and not model._meta.proxy
    ]


def bookkeeping_tables() -> set[str]:
    """Tables of ours (not Directus 8's) that every project database has besides
    `django_migrations`: `django_directus_*` and the mail queue's `post_office_*`; adoption
    creates them."""
    return {
        model._meta.db_table for model in system_models() if not model._meta.db_table.startswith(DIRECTUS_TABLE_PREFIX)
    }
