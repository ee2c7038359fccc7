from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "apps.files"
    label = "files"
    verbose_name = "Files"

    def ready(self):
        from apps.items.computed import register
        from apps.items.registry import register_write_hooks

        from .services import FileRowHooks
        from .urls_data import computed_data

        register_write_hooks("directus_files", FileRowHooks())
        # Every read of directus_files through the item engine (also nested, e.g. `avatar.*`)
        # carries the computed `data` object.
        register("directus_files", "data", computed_data)
