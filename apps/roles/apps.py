from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "apps.roles"
    label = "roles"
    verbose_name = "Roles"

    def ready(self):
        from apps.items.registry import register_write_hooks
        from apps.schema.signals import watch_config

        from .models import Role
        from .services import RoleWriteHooks

        register_write_hooks("directus_roles", RoleWriteHooks())
        watch_config(Role)
