from django.apps import AppConfig


class SnapshotsConfig(AppConfig):
    name = "apps.snapshots"
    label = "directus_snapshots"
    verbose_name = "Schema snapshots"
