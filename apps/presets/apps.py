from django.apps import AppConfig


class PresetsConfig(AppConfig):
    name = "apps.presets"
    label = "presets"
    verbose_name = "Collection presets"

    def ready(self):
        from apps.items.registry import register_write_hooks

        from .services import PresetWriteHooks

        register_write_hooks("directus_collection_presets", PresetWriteHooks())
