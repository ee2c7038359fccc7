from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"
    verbose_name = "Users"

    def ready(self):
        from apps.items.registry import register_item_rule, register_write_hooks

        from .services import UserWriteHooks, hide_private_fields

        register_write_hooks("directus_users", UserWriteHooks())
        # Other users' private columns are left out of every read, nested ones included.
        register_item_rule("directus_users", hide_private_fields)
