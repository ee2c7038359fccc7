"""Writing a whole project to one archive (layout: apps.archives.layout)."""

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections
from django.utils import timezone

from apps.files.models import File
from apps.files.storage import MissingFile, project_storage
from apps.projects.context import using_project
from apps.projects.registry import ProjectConfig, get_project
from apps.projects.tables import system_models
from apps.schema.cache import project_schema
from apps.schema.description import SYSTEM_PREFIX
from apps.snapshots.document import DIRECTUS_VERSION
from apps.snapshots.snapshot import engine_name, take_snapshot

from . import layout, rows

# The system tables an archive carries, in the order they are restored. The metadata of user
# collections is in the snapshot too, but the rows keep their ids (a field's `group` and the
# `id` the API shows) and the metadata of system collections. The mail queue and the webhook
# deliveries not yet sent stay behind, as do the schema version counters (bookkeeping).
SYSTEM_TABLES = (
    "directus_migrations",
    "directus_roles",
    "directus_users",
    "directus_user_sessions",
    "django_directus_credential_cutoff",
    "directus_permissions",
    "directus_settings",
    "directus_collection_presets",
    "directus_folders",
    "directus_files",
    "directus_activity",
    "directus_revisions",
    "directus_webhooks",
    "directus_collections",
    "directus_fields",
    "directus_relations",
)


def system_model(table: str):
    return next(model for model in system_models() if model._meta.db_table == table)


def required_members() -> set[str]:
    return {layout.SCHEMA} | {layout.member(layout.SYSTEM, table, ".jsonl") for table in SYSTEM_TABLES}


@dataclass
class Exported:
    manifest: dict
    warnings: list[str] = field(default_factory=list)


def export_project(key: str, out: Path, *, keep_secret: bool = False) -> Exported:
    """Write project `key` to the archive `out` (replaced when it exists)."""
    project = get_project(key)
    if project is None:
        raise layout.ArchiveError(f"Unknown project '{key}'.")
    exported = Exported(manifest={})
    with tempfile.TemporaryDirectory(prefix="directus-export-", dir=out.parent) as folder:
        members = _Members(Path(folder))
        with using_project(project):
            _write_members(project, members, exported, keep_secret)
            engine = engine_name(project.alias)
        exported.manifest = {
            "format": layout.FORMAT,
            "project": key,
            "engine": engine,
            "directus": DIRECTUS_VERSION,
            "created": timezone.now().isoformat(timespec="seconds"),
            "rows": members.rows,
            "columns": members.columns,
            "files": members.checksums,
        }
        layout.write(out, exported.manifest, Path(folder))
    return exported


class _Members:
    """The members written so far into a folder, with their checksums and row counts."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.checksums: dict[str, str] = {}
        self.rows: dict[str, int] = {}
        # Each collection's columns in table order: a snapshot lists fields by sort and name,
        # but the API lists them (and an item's keys) in the table's order.
        self.columns: dict[str, list[str]] = {}

    def path(self, name: str) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def done(self, name: str) -> None:
        self.checksums[name] = layout.sha256_of(self.folder / name)


def _write_members(project: ProjectConfig, members: _Members, exported: Exported, keep_secret: bool) -> None:
    alias = project.alias
    members.path(layout.SCHEMA).write_text(json.dumps(take_snapshot(), indent=1, ensure_ascii=False), "utf-8")
    members.done(layout.SCHEMA)
    if keep_secret:
        secret = {"secret_key": project.secret_key, "public_key": project.public_key}
        members.path(layout.SECRET).write_text(json.dumps(secret), "utf-8")
        members.done(layout.SECRET)

    for table in SYSTEM_TABLES:
        model = system_model(table)
        exported.warnings += _columns_left_out(alias, model)
        name = layout.member(layout.SYSTEM, table, ".jsonl")
        members.rows[name] = rows.write_table(alias, model, members.path(name))
        members.done(name)

    schema = project_schema()
    for collection, info in sorted(schema.collections.items()):
        if collection.startswith(SYSTEM_PREFIX) or not info.table_exists:
            continue
        model = schema.model(collection)
        if model is None:
            raise layout.ArchiveError(f'Collection "{collection}" has no single primary key: it cannot be exported.')
        name = layout.member(layout.ITEMS, collection, ".jsonl")
        members.columns[collection] = [field.name for field in info.columns]
        members.rows[name] = rows.write_table(alias, model, members.path(name))
        members.done(name)

    storage = project_storage(project)
    stored = File.objects.using(alias).exclude(filename_disk="").exclude(filename_disk__isnull=True)
    for disk_name in sorted(set(stored.values_list("filename_disk", flat=True))):
        name = layout.member(layout.FILES, disk_name)
        try:
            stream = storage.open(disk_name)
        except MissingFile:
            exported.warnings.append(f"The stored file {disk_name} is missing: its directus_files row goes alone.")
            continue
        try:
            with open(members.path(name), "wb") as target:
                shutil.copyfileobj(stream, target, layout.CHUNK)
        finally:
            stream.close()
        members.done(name)


def _columns_left_out(alias: str, model) -> list[str]:
    """Columns a system table has beyond this server's model (a field added to a system
    collection): their values are not carried."""
    connection = connections[alias]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        live = {column.name for column in connection.introspection.get_table_description(cursor, table)}
    known = {f.column for f in model._meta.concrete_fields}
    return [
        f"Column {table}.{name} is not carried: only the columns this server knows are."
        for name in sorted(live - known)
    ]
