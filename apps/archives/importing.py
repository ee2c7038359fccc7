"""Creating a project from an archive, all or nothing.

The archive is unpacked and checked whole before anything is created. Then: a project without
install rows (its database and system tables), the snapshot applied through the schema
services (so each engine gets its own DDL), every row inserted under its own key (PostgreSQL's
sequences then moved past them), the stored originals copied. When any step fails, the project
is deleted again: its database dropped (or, when the database was there before, the tables it
got), its registry row removed, the files copied removed."""

import contextlib
import json
import logging
import tempfile
from pathlib import Path

from django.core.management.color import no_style
from django.db import DatabaseError, connections, transaction

from apps.core import errors
from apps.files.storage import project_storage
from apps.operations.services import ProjectError, create_project, default_database_url, delete_project, require_new_key
from apps.projects import databases
from apps.projects.context import using_project
from apps.projects.models import Project
from apps.projects.registry import forget_project, get_project
from apps.schema import cache
from apps.schema.description import SYSTEM_PREFIX
from apps.snapshots.apply import OPERATOR, apply_snapshot

from . import layout, rows
from .exporting import SYSTEM_TABLES, required_members, system_model

logger = logging.getLogger("directus.projects")


def import_project(key: str, archive: Path, *, database_url: str | None = None, keep_secret: bool = False) -> Project:
    """Create project `key` from `archive`; with `keep_secret`, signing with the archived keys
    (tokens of the old project stay valid), else with new ones."""
    require_new_key(key)
    with tempfile.TemporaryDirectory(prefix="directus-import-") as unpacked:
        folder = Path(unpacked)
        manifest = layout.extract(archive, folder, required_members())
        secret = _secret(folder) if keep_secret else None
        try:
            url = databases.normalise_url(database_url or default_database_url(key))
            existed = databases.database_exists(url)
        except (databases.InvalidDatabaseURL, databases.DatabaseServerError) as exc:
            raise ProjectError(str(exc)) from exc
        project = create_project(key, database_url=url, seed=False)
        copied: list[str] = []
        try:
            if secret:
                Project.objects.filter(key=key).update(**secret)
                forget_project(key)
            _restore(key, folder, manifest, copied)
        except BaseException as exc:
            _undo(key, copied, drop_database=not existed)
            if isinstance(exc, errors.DirectusError):
                raise ProjectError(f"The archive's schema does not apply: {exc.message}") from exc
            if isinstance(exc, DatabaseError):
                raise ProjectError(f"A row does not insert: {str(exc).strip().splitlines()[0]}") from exc
            raise
        finally:
            forget_project(key)
            cache.forget_project(key)
    return Project.objects.get(pk=project.pk)


def _secret(folder: Path) -> dict:
    path = folder / layout.SECRET
    if not path.exists():
        raise layout.ArchiveError("The archive holds no secret: export it with --keep-secret to keep it.")
    try:
        secret = json.loads(path.read_text("utf-8"))
    except ValueError:
        secret = None
    if not isinstance(secret, dict) or not all(isinstance(secret.get(k), str) for k in ("secret_key", "public_key")):
        raise layout.ArchiveError(f"{layout.SECRET} does not hold a secret and a public key.")
    return {"secret_key": secret["secret_key"], "public_key": secret["public_key"]}


def _restore(key: str, folder: Path, manifest: dict, copied: list[str]) -> None:
    config = get_project(key)
    alias = config.alias
    with using_project(config):
        try:
            snapshot = json.loads((folder / layout.SCHEMA).read_text("utf-8"))
        except ValueError as exc:
            raise layout.ArchiveError(f"{layout.SCHEMA} is not JSON.") from exc
        apply_snapshot(_in_table_order(snapshot, manifest.get("columns")), OPERATOR, allow_drops=True)

        schema = cache.project_schema()
        collections = sorted(
            name
            for name, info in schema.collections.items()
            if info.table_exists and not name.startswith(SYSTEM_PREFIX)
        )
        items = {name for name in manifest["files"] if name.startswith(layout.ITEMS + "/")}
        expected = {layout.member(layout.ITEMS, name, ".jsonl") for name in collections}
        if items != expected:
            raise layout.ArchiveError(
                "The archive's rows do not match its schema: " + ", ".join(sorted(items ^ expected)[:5])
            )
        models = [system_model(table) for table in SYSTEM_TABLES]
        models += [schema.model(name) for name in collections]
        with transaction.atomic(using=alias):
            for model in models:
                # The schema services wrote metadata rows of their own: the archive's replace them.
                model._base_manager.using(alias).all().delete()
                member = _member_of(model)
                try:
                    rows.insert(alias, model, folder / member)
                except rows.RowError as exc:
                    raise layout.ArchiveError(f"{member}, {exc}") from exc
                except DatabaseError as exc:
                    raise ProjectError(f"{member}: a row does not insert: {_first_line(exc)}") from exc
            _move_sequences(alias, models)
            cache.bump(alias, set(collections))
        schema.reload()
        _copy_files(config, folder, copied)


def _in_table_order(snapshot, columns) -> dict:
    """The snapshot with each collection's columns in the order of the exported table (so the
    new tables have their columns in the same order), aliases after them."""
    if not isinstance(snapshot, dict) or not isinstance(columns, dict):
        return snapshot
    collections = []
    for collection in snapshot.get("collections") or []:
        order = columns.get(collection.get("collection")) if isinstance(collection, dict) else None
        if isinstance(order, list) and isinstance(collection.get("fields"), list):
            position = {name: index for index, name in enumerate(order)}
            fields = collection["fields"]
            ranked = sorted(
                range(len(fields)),
                key=lambda i: (
                    position.get(fields[i].get("field") if isinstance(fields[i], dict) else None, len(order)),
                    i,
                ),
            )
            collection = {**collection, "fields": [fields[i] for i in ranked]}
        collections.append(collection)
    return {**snapshot, "collections": collections}


def _member_of(model) -> str:
    table = model._meta.db_table
    if getattr(model, "_directus_collection", None):
        return layout.member(layout.ITEMS, table, ".jsonl")
    return layout.member(layout.SYSTEM, table, ".jsonl")


def _move_sequences(alias: str, models: list) -> None:
    """Rows came with their keys: PostgreSQL's sequences must move past them (MariaDB's
    auto-increment counters and SQLite's row ids follow the largest key by themselves)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _copy_files(config, folder: Path, copied: list[str]) -> None:
    """The originals into the project's storage. A file already stored under the same name
    (left by an earlier project of this key) is kept when its content is the same."""
    storage = project_storage(config)
    originals = folder / layout.FILES
    if not originals.is_dir():
        return
    for path in sorted(originals.iterdir()):
        name = path.name
        if storage.exists(name):
            with storage.local_copy(name) as stored, open(path, "rb") as wanted:
                if _same(stored, wanted):
                    continue
            raise ProjectError(f"The project's storage already holds another file named {name}.")
        with open(path, "rb") as handle:
            saved = storage.save(name, handle)
        copied.append(saved)
        if saved != name:
            raise ProjectError(f"The project's storage stored {name} as {saved}.")


def _same(first, second) -> bool:
    while True:
        a, b = first.read(layout.CHUNK), second.read(layout.CHUNK)
        if a != b:
            return False
        if not a:
            return True


def _undo(key: str, copied: list[str], *, drop_database: bool) -> None:
    """Remove what a failed import made; never hides the error that led here."""
    logger.warning("Importing project %s failed; removing it again.", key)
    try:
        config = get_project(key)
        if config is not None:
            storage = project_storage(config)
            for name in copied:
                with contextlib.suppress(Exception):
                    storage.delete(name)
        delete_project(key, drop_database=drop_database, drop_tables=not drop_database)
    except Exception:
        logger.exception("Removing the failed import of project %s did not complete.", key)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
