"""Rows that workers cache per schema version (settings, permissions, roles, webhooks) move the
version whenever they are saved or deleted through the ORM, whatever code does it."""

from django.db.models.signals import post_delete, post_save

from apps.permissions.models import Permission
from apps.roles.models import Role
from apps.settings.models import Setting
from apps.webhooks.models import Webhook

from .cache import config_changed

CONFIG_MODELS = (Setting, Permission, Role, Webhook)


def _changed(sender, instance, using, **kwargs) -> None:
    config_changed(using)


def connect() -> None:
    for model in CONFIG_MODELS:
        post_save.connect(_changed, sender=model, dispatch_uid=f"directus-config-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"directus-config-{model.__name__}-delete")
