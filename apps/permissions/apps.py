from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "apps.permissions"
    label = "permissions"
    verbose_name = "Permissions"

    def ready(self):
        from apps.items.registry import register_write_hooks
        from apps.schema.signals import watch_config

        from .models import Permission
        from .services import PermissionWriteHooks

        register_write_hooks("directus_permissions", PermissionWriteHooks())
        watch_config(Permission)
