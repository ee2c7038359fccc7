from django.apps import AppConfig


class RevisionsConfig(AppConfig):
    name = "apps.revisions"
    label = "revisions"
    verbose_name = "Revisions"

    def ready(self):
        from apps.items.registry import register_item_rule

        from .services import hide_unreadable_fields

        # A revision shows only what its reader may read of the item it records.
        register_item_rule("directus_revisions", hide_unreadable_fields, columns=("collection", "item"))
