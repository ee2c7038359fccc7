"""Rows that workers cache per schema version (settings, permissions, roles, webhooks) move the
version whenever they are saved or deleted, through the ORM or through the item writer, whatever
code does it. Their apps register the models from `AppConfig.ready()`:

    watch_config(Setting)"""

from django.db.models.signals import post_delete, post_save

from .cache import config_changed

_config_tables: set[str] = set()


def _changed(sender, instance, using, **kwargs) -> None:
    config_changed(using)


def watch_config(model) -> None:
    _config_tables.add(model._meta.db_table)
    post_save.connect(_changed, sender=model, dispatch_uid=f"directus-config-{model._meta.label}-save")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"directus-config-{model._meta.label}-delete")


def is_config_table(table: str) -> bool:
    return table in _config_tables
