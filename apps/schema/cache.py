"""What each worker process knows of each project's schema, and how it stays current.

Every schema change bumps counters in the project's `django_directus_schema` table, in the same
transaction as the metadata it changed: the global row `*` and one row per collection touched
(the changed collection and every collection related to it). Each request reads the global row
once (a primary-key lookup); only when it moved does the worker read the per-collection rows and
rebuild the descriptions and models of the collections whose counters moved. So a field added
through one gunicorn worker is visible through every other worker on its next request."""

import threading
import time

from django.db import connections, transaction
from django.db.models import F

from apps.core.dberrors import is_undefined_name
from apps.core.local import memo
from apps.projects import news
from apps.projects.context import require_project
from apps.projects.registry import ProjectConfig
from directus.conf import directus_settings

from . import builder
from .description import CollectionInfo, describe
from .models import SchemaVersion

GLOBAL = SchemaVersion.GLOBAL


class ProjectSchema:
    """One project's collection descriptions and run-time models, as one worker knows them."""

    def __init__(self, project: ProjectConfig):
        self.project_key = project.key
        self.project_instance = project.instance
        self.alias = project.alias
        self._lock = threading.RLock()
        self.global_version: int | None = None
        self.versions: dict[str, int] = {}
        self.collections: dict[str, CollectionInfo] = {}
        # Moves whenever descriptions are replaced: a request that began with others may have
        # been handed models and descriptions of two states (another thread of this worker).
        self.generation = 0
        self._models: dict[str, type] = {}
        self.registry = builder.new_registry()
        # Project configuration read from the database (settings, permission rows, roles,
        # webhooks), kept until the global version moves: writes to those tables bump it.
        self._config: dict = {}
        # The news generation (apps.projects.news) when global_version was last read, and when
        # that was: while it has not moved, the stored version has not either (read again after
        # CREDENTIAL_CACHE_SECONDS all the same, should a notice have been lost).
        self.heard: int | None = None
        self.read_at = float("-inf")

    # Reading ---------------------------------------------------------------------------------

    def collection(self, name: str) -> CollectionInfo | None:
        return self.collections.get(name)

    def model(self, name: str):
        """The run-time model of a collection (None when it has no table or no single key)."""
        with self._lock:
            if name in self._models:
                return self._models[name]
            info = self.collections.get(name)
            if info is None:
                return None  # not remembered: unknown names must not grow the cache
            model = builder.build_model(info, self.registry, self.versions.get(name, 0))
            self._models[name] = model
            return model

    def config(self, key, load):
        """A value of the project's configuration, loaded once per schema version."""
        try:
            return self._config[key]
        except KeyError:
            value = self._config[key] = load()
            return value

    # Staying current -------------------------------------------------------------------------

    def _read_under(self, heard: int | None) -> None:
        """The stored version was just read, after the news generation `heard` was taken."""
        self.heard, self.read_at = heard, time.monotonic()

    def heard_lately(self) -> bool:
        age = float(directus_settings.CREDENTIAL_CACHE_SECONDS)
        return self.global_version is not None and time.monotonic() - self.read_at < age

    def refresh(self, known_version: int | None = None, heard: int | None = None) -> None:
        """Catch up with the stored version; `known_version` is that version when the caller
        already read it (authentication reads it in the same statement as the user), `heard`
        the news generation taken before it was read."""
        if known_version is None:
            stored = SchemaVersion.objects.using(self.alias).filter(collection=GLOBAL).values_list("version", flat=True)
            known_version = next(iter(stored), 0)
        global_version = known_version
        if global_version == self.global_version:
            self._read_under(heard)
            return
        with self._lock:
            if global_version == self.global_version:
                self._read_under(heard)
                return
            self._config = {}
            versions = dict(SchemaVersion.objects.using(self.alias).values_list("collection", "version"))
            versions.pop(GLOBAL, None)
            if self.global_version is None:
                self._replace(describe(self.alias), everything=True)
            else:
                changed = {name for name, version in versions.items() if self.versions.get(name) != version}
                changed |= set(self.versions) - set(versions)
                # Tables made outside the API have no counter until a change touches them: one
                # dropped (or taken over) since is only noticed by describing it again.
                changed |= {
                    name for name, info in self.collections.items() if name not in versions and not info.is_system
                }
                if changed:
                    self._replace(describe(self.alias, sorted(changed)), names=changed)
            self.versions = versions
            self.global_version = global_version
            self._read_under(heard)

    def forget(self, names: set[str] | None = None) -> None:
        """Drop what this worker knows (of some collections, or everything)."""
        with self._lock:
            if names is None:
                for model in self._models.values():
                    if model is not None:
                        builder.unregister(model)
                self._models.clear()
                self.collections.clear()
                self.generation += 1
                self.global_version = None
                self.heard = None
                return
            self._replace(describe(self.alias, sorted(names)), names=names)

    def reload(self) -> None:
        """Describe every collection again from the live tables, whatever the version says."""
        with self._lock:
            self._replace(describe(self.alias), everything=True)
            self._config = {}

    def _replace(self, described: dict[str, CollectionInfo], *, names=None, everything=False) -> None:
        stale = set(self.collections) if everything else set(names or ())
        # One swap: a request in another thread of this worker sees the old or the new
        # descriptions, never a collection missing in between.
        collections = {name: info for name, info in self.collections.items() if name not in stale}
        collections.update(described)
        self.collections = collections
        self.generation += 1
        for name in stale:
            model = self._models.pop(name, None)
            if model is not None:
                builder.unregister(model)


_schemas: dict[str, ProjectSchema] = {}
_schemas_lock = threading.Lock()


def project_schema(
    project: ProjectConfig | None = None,
    *,
    known_version: int | None = None,
    heard: int | None = None,
    fresh: bool = False,
) -> ProjectSchema:
    """The current project's schema, checked once per request: against the stored version, or,
    when the project's news channel says nothing changed since it was last read, without a
    statement. `known_version` and `heard`: the version the caller read and the news generation
    it took before (authentication); `fresh`: read the stored version whatever the news."""
    project = project or require_project()
    schema = _schemas.get(project.key)
    # A project created again under its key starts from nothing: its schema versions may be the
    # numbers the old one had, so only the instance tells what this worker knows is stale.
    if schema is None or schema.project_instance != project.instance:
        with _schemas_lock:
            schema = _schemas.get(project.key)
            if schema is None or schema.project_instance != project.instance:
                schema = _schemas[project.key] = ProjectSchema(project)
    request_memo = memo()
    key = (_CHECKED, project.key)
    if request_memo is None or key not in request_memo:
        if known_version is None and not fresh:
            if heard is None:
                heard = news.generation(schema.alias)
            if heard is None or heard != schema.heard or not schema.heard_lately():
                schema.refresh(heard=heard)
        else:
            schema.refresh(known_version, heard=None if fresh else heard)
        connection = connections[schema.alias]
        if hasattr(connection, "prepared_statements_valid_for"):
            connection.prepared_statements_valid_for(schema.global_version)
        if request_memo is not None:
            request_memo[key] = (schema.global_version, schema.generation)
    return schema


_CHECKED = "schema-checked"
_CHANGED_HERE = "schema-changed-here"


def changed_by_this_request() -> bool:
    """Whether the current request moved the schema version itself (a schema change, or a write
    to the configuration tables)."""
    request_memo = memo()
    return request_memo is not None and _CHANGED_HERE in request_memo


def check_again(project: ProjectConfig) -> bool:
    """Check the stored version again in the middle of a request; True when it moved since the
    request's first check, or this worker's descriptions changed since (what this worker knows
    has then caught up with the stored version)."""
    request_memo = memo()
    checked = request_memo.pop((_CHECKED, project.key), None) if request_memo is not None else None
    if checked is None:
        return False
    schema = project_schema(project, fresh=True)
    return (schema.global_version, schema.generation) != checked


def bump(alias: str, collections: set[str], dropped: set[str] = frozenset()) -> None:
    """Record a schema change of these collections (call inside the change's transaction).

    Each touched collection's counter is set to the new global version, so counters only ever
    grow, across drops too: the row of a `dropped` collection is deleted (workers notice the
    missing row), and if the name comes back it gets a version no worker has seen for it. So the
    table holds one row per existing collection, however many come and go."""
    request_memo = memo()
    if request_memo is not None:
        request_memo[_CHANGED_HERE] = True
    connection = connections[alias]
    if hasattr(connection, "forget_prepared_statements"):
        connection.forget_prepared_statements()  # statements on the changed tables, this connection
    dropped = set(dropped) - {GLOBAL}
    names = set(collections) - dropped - {GLOBAL}
    rows = SchemaVersion.objects.using(alias)
    with transaction.atomic(using=alias):
        rows.bulk_create([SchemaVersion(collection=GLOBAL, version=0)], ignore_conflicts=True)
        # Updating the global row first serialises concurrent changes on it.
        rows.filter(collection=GLOBAL).update(version=F("version") + 1)
        version = rows.filter(collection=GLOBAL).values_list("version", flat=True).get()
        rows.bulk_create([SchemaVersion(collection=name, version=version) for name in names], ignore_conflicts=True)
        rows.filter(collection__in=names).update(version=version)
        if dropped:
            rows.filter(collection__in=dropped).delete()


def version_subquery():
    """The global version as a subquery, to read it in the same statement as something else."""
    from django.db.models import Subquery

    return Subquery(SchemaVersion.objects.filter(collection=GLOBAL).values("version")[:1])


def config_changed(alias: str) -> None:
    """Settings, permissions, roles or webhooks changed: every worker reloads its copies."""
    bump(alias, set())


def forget_config() -> None:
    """Drop every project's cached configuration in this process (tests that roll writes back)."""
    for schema in list(_schemas.values()):
        schema._config = {}


def forget_project(key: str) -> None:
    with _schemas_lock:
        _schemas.pop(key, None)


def schema_moved(request, exc) -> bool:
    """For apps.core.rerun: did the schema change under this request? The version moved (by
    another request: a change of its own is not news), or a statement named a column or table
    that is not there (the project is then described again from the live tables)."""
    if changed_by_this_request():
        return False
    project = request.project
    if check_again(project):
        return True
    if is_undefined_name(exc):
        project_schema(project).reload()
        return True
    return False
