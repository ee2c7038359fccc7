"""Creating, adopting, migrating and deleting projects. Used by the management commands, the
Django admin and POST/DELETE /server/projects alike.

Every operation that cannot be done as asked raises `ProjectError`, with a message for the
operator; a failed creation leaves nothing behind (no registry row, the database it created
dropped, the tables it added to an existing database removed)."""

import logging
from dataclasses import dataclass, field
from io import StringIO

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, connections

from apps.core.fields import INTEGER_FIELDS
from apps.projects import databases
from apps.projects.models import Project, validate_project_key
from apps.projects.registry import ProjectConfig, database_settings, drop_connection, ensure_connection, forget_project
from apps.projects.tables import DIRECTUS_TABLE_PREFIX, system_models
from directus.conf import directus_settings

from .install import seed_fresh_install

logger = logging.getLogger("directus.projects")

# Tables whose presence marks a database as a Directus 8 install.
DIRECTUS_MARKER_TABLES = frozenset({"directus_users", "directus_roles", "directus_settings", "directus_collections"})


class ProjectError(Exception):
    """A project operation that cannot be done as asked (message is for the operator)."""


class ProjectMigrationError(ProjectError):
    """Some projects could not be migrated; the others were."""

    def __init__(self, done: list[str], failed: dict[str, str]):
        self.done = done
        self.failed = failed
        lines = [f"{key}: {reason}" for key, reason in failed.items()]
        super().__init__(f"{len(failed)} project(s) could not be migrated:\n" + "\n".join(lines))


def prepare_control_database() -> None:
    """Create or bring up to date the control database's tables (the project registry among
    them), so that the project commands work on a fresh data directory without `migrate` first."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", database="default", interactive=False, verbosity=0)


def default_database_url(key: str) -> str:
    path = directus_settings.DATA_DIR / "projects" / f"{key}.sqlite3"
    return f"sqlite:///{path.resolve()}"


def table_names(alias: str) -> set[str]:
    with connections[alias].cursor() as cursor:
        return set(connections[alias].introspection.table_names(cursor))


# -- adoption check -----------------------------------------------------------------------------

# Column types (as Django's introspection names them) each kind of model field can work with.
# Directus 8 uses unsigned ints, tinyint(1)/int(1) for booleans, varchar/text/longtext for
# strings and JSON, datetime/timestamp for dates: all of these read and write correctly.
_COMPATIBLE = {
    "integer": INTEGER_FIELDS,
    "boolean": INTEGER_FIELDS | {"BooleanField"},
    "text": frozenset({"CharField", "TextField", "JSONField"}),
    "datetime": frozenset({"DateTimeField"}),
}


def _kind(model_field) -> str | None:
    internal = model_field.get_internal_type()
    if internal in INTEGER_FIELDS:
        return "integer"
    if internal == "BooleanField":
        return "boolean"
    if internal in ("CharField", "TextField"):
        return "text"
    if internal == "DateTimeField":
        return "datetime"
    return None


@dataclass
class SchemaReport:
    """What stands between an existing database and our models: errors block adoption,
    warnings are told to the operator."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_adoptable(alias: str) -> SchemaReport:
    """Compare the live directus_* tables with our models without changing anything.

    Adoption never alters a table, so differences must be ones the models can live with:
    every table and column must exist with a compatible kind of type (unsigned or narrower
    integers and text types are fine). Narrower text columns and unknown NOT NULL columns
    without a default are reported as warnings: some writes the API accepts would fail."""
    report = SchemaReport()
    connection = connections[alias]
    introspection = connection.introspection
    with connection.cursor() as cursor:
        existing = set(introspection.table_names(cursor))
        for model in sorted(system_models(), key=lambda m: m._meta.db_table):
            table = model._meta.db_table
            if not table.startswith(DIRECTUS_TABLE_PREFIX):
                continue  # our own bookkeeping (django_*): migrate creates it
            if table not in existing:
                report.errors.append(f"table {table} is missing")
                continue
            columns = {column.name: column for column in introspection.get_table_description(cursor, table)}
            known = set()
            for model_field in model._meta.local_concrete_fields:
                column_name = model_field.column
                known.add(column_name)
                column = columns.get(column_name)
                if column is None:
                    report.errors.append(f"column {table}.{column_name} is missing")
                    continue
                _compare_column(report, table, model_field, column, introspection)
            for name, column in columns.items():
                if name in known or column.null_ok or column.default is not None:
                    continue
                if "auto_increment" in (getattr(column, "extra", "") or ""):
                    continue
                report.warnings.append(
                    f"column {table}.{name} is NOT NULL without a default and unknown to this server: "
                    "creating rows in that table will fail"
                )
    return report


def _compare_column(report: SchemaReport, table: str, model_field, column, introspection) -> None:
    try:
        found = introspection.get_field_type(column.type_code, column)
    except KeyError:
        found = None
    sql_type = getattr(column, "data_type", None) or found or str(column.type_code)
    kind = _kind(model_field)
    name = f"{table}.{model_field.column}"
    if kind is None or found is None:
        report.warnings.append(f"column {name} has type {sql_type}, which this server cannot check")
        return
    if found not in _COMPATIBLE[kind]:
        report.errors.append(f"column {name} is {sql_type}, where a {kind} column is needed")
        return
    max_length = getattr(model_field, "max_length", None)
    size = column.internal_size if isinstance(column.internal_size, int) else None
    if kind == "text" and found == "CharField" and max_length and size and 0 < size < max_length:
        report.warnings.append(
            f"column {name} holds {size} characters where this server accepts {max_length}: "
            "longer values will be refused by the database"
        )


# -- create ---------------------------------------------------------------------------------------


def _database_identity(url: str) -> tuple:
    config = database_settings(url)
    return (config["ENGINE"], (config.get("HOST") or "").lower(), str(config.get("PORT") or ""), config["NAME"])


def _check_database_unused(url: str) -> None:
    identity = _database_identity(url)
    for other in Project.objects.only("key", "database_url"):
        try:
            same = _database_identity(databases.normalise_url(other.database_url)) == identity
        except databases.InvalidDatabaseURL:
            continue
        if same:
            raise ProjectError(f"Project '{other.key}' already uses this database.")


def _database_error(exc: Exception) -> ProjectError:
    return ProjectError(f"Database error: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}")


def require_new_key(key: str) -> None:
    """A ProjectError unless `key` is a valid project key no project has yet."""
    try:
        validate_project_key(key)
    except ValidationError as exc:
        raise ProjectError(" ".join(exc.messages)) from exc
    if Project.objects.filter(key=key).exists():
        raise ProjectError(f"Project '{key}' already exists.")


def create_project(
    key: str,
    *,
    database_url: str | None = None,
    admin_email: str | None = None,
    admin_password: str | None = None,
    admin_token: str | None = None,
    project_name: str | None = None,
    app_url: str | None = None,
    locale: str | None = None,
    timezone_name: str | None = None,
    existing: bool = False,
    private: bool = False,
    storage: dict | None = None,
    seed: bool = True,
) -> Project:
    """Create a project, or with `existing` adopt a database Directus 8 created.

    A new project gets its database (created when the server allows and it does not exist),
    the system tables and a fresh install's rows. Adoption changes none of the database's
    tables: it checks them against our models and records our initial migrations as applied;
    the only additions are our own bookkeeping tables (`django_migrations`, and those of
    `bookkeeping_tables()`: `django_directus_*` and the mail queue's `post_office_*`). The
    admin arguments are ignored when adopting.

    With `seed=False` a new project gets its system tables without a single row, and needs no
    admin: for rows that come from elsewhere (a project archive).

    The returned Project has `warnings`: things the operator should know (adoption only)."""
    require_new_key(key)
    try:
        url = databases.normalise_url(database_url or default_database_url(key))
        engine = databases.engine_of(url)
    except databases.InvalidDatabaseURL as exc:
        raise ProjectError(str(exc)) from exc
    if not existing and seed:
        if not (admin_email and admin_password):
            raise ProjectError("A new project needs an admin email and password.")
        try:
            validate_email(admin_email)
        except ValidationError as exc:
            raise ProjectError(f"Invalid admin email {admin_email!r}.") from exc
    _check_database_unused(url)

    project = Project(key=key, database_url=url, private=private, adopted=existing, storage=storage or {})
    project.warnings = []
    config = ProjectConfig.from_model(project)
    created_database = False
    tables_before: set[str] | None = None
    try:
        try:
            exists = databases.database_exists(url)
            if existing and not exists:
                raise ProjectError(f"Cannot adopt {databases.display_url(url)}: the database does not exist.")
            if not existing and exists and engine == "mysql":
                charset = databases.mysql_default_charset(url) or ""
                if not charset.startswith("utf8mb4"):
                    raise ProjectError(
                        f"The database's default character set is {charset or 'unknown'}; a new project needs "
                        "utf8mb4 (ALTER DATABASE ... CHARACTER SET utf8mb4, or let createproject create it)."
                    )
            if not existing:
                created_database = databases.create_database(url)
        except databases.DatabaseServerError as exc:
            raise ProjectError(str(exc)) from exc
        alias = ensure_connection(config)
        tables_before = table_names(alias)
        directus_tables = {name for name in tables_before if name.startswith(DIRECTUS_TABLE_PREFIX)}
        if existing:
            missing = DIRECTUS_MARKER_TABLES - tables_before
            if missing:
                raise ProjectError(f"Not a Directus 8 database: missing {', '.join(sorted(missing))}.")
            report = check_adoptable(alias)
            if report.errors:
                raise ProjectError(
                    "The database's Directus tables differ from what this server needs (nothing was changed):\n  "
                    + "\n  ".join(report.errors)
                )
            project.warnings = report.warnings
        elif directus_tables:
            raise ProjectError(
                f"The database already holds Directus tables ({', '.join(sorted(directus_tables)[:5])}"
                f"{', ...' if len(directus_tables) > 5 else ''}); adopt it with --existing."
            )
        migrate_project(config, adopt=existing)
        if not existing and seed:
            seed_fresh_install(
                alias,
                admin_email=admin_email,
                admin_password=admin_password,
                admin_token=admin_token,
                project_name=project_name,
                app_url=app_url,
                locale=locale,
                timezone_name=timezone_name,
            )
        try:
            project.save(using="default")
        except IntegrityError as exc:
            raise ProjectError(f"Project '{key}' already exists.") from exc
    except BaseException as exc:
        _undo_creation(key, config, url, created_database=created_database, tables_before=tables_before)
        if isinstance(exc, DatabaseError):
            raise _database_error(exc) from exc
        raise
    finally:
        _forget(key)
    for warning in project.warnings:
        logger.warning("Project %s: %s", key, warning)
    return project


def _undo_creation(key: str, config: ProjectConfig, url: str, *, created_database: bool, tables_before) -> None:
    """Remove what a failed creation made; never hides the original error."""
    try:
        if created_database:
            drop_connection(config.alias)
            logger.warning("Creating project %s failed; dropping the database it created.", key)
            databases.drop_database(url)
        elif tables_before is not None:
            connections[config.alias].close()
            added = table_names(config.alias) - tables_before
            if added:
                logger.warning("Creating project %s failed; removing the tables it added: %s", key, sorted(added))
                _drop_tables(config.alias, added)
    except Exception:
        logger.exception("Cleaning up after the failed creation of project %s failed.", key)
    finally:
        drop_connection(config.alias)


def _drop_tables(alias: str, tables: set[str]) -> None:
    connection = connections[alias]
    quote = connection.ops.quote_name
    cascade = " CASCADE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
        for table in sorted(tables):
            cursor.execute(f"DROP TABLE IF EXISTS {quote(table)}{cascade}")
        if connection.vendor == "mysql":
            cursor.execute("SET FOREIGN_KEY_CHECKS = 1")


# -- migrate --------------------------------------------------------------------------------------


def migrate_project(config: ProjectConfig, *, adopt: bool = False, verbosity: int = 0) -> str:
    """Apply pending system migrations to one project database; returns migrate's output.

    When adopting a Directus 8 database, the initial migrations describe tables that already
    exist: `--fake-initial` records them as applied without running them (only for migrations
    whose tables are all present), so none of those tables change. Running it again is a no-op."""
    alias = ensure_connection(config)
    out = StringIO()
    call_command(
        "migrate",
        database=alias,
        fake_initial=adopt,
        interactive=False,
        verbosity=verbosity,
        stdout=out,
        stderr=out,
    )
    output = out.getvalue()
    if output.strip():
        logger.debug("migrate %s:\n%s", config.key, output)
    return output


def migrate_all_projects(keys: list[str] | None = None, verbosity: int = 0) -> list[str]:
    """Migrate every project (or those named); returns the keys done.

    One project failing (its server down, say) does not stop the others: all are tried, then
    `ProjectMigrationError` names those that failed."""
    projects = Project.objects.all()
    if keys:
        unknown = sorted(set(keys) - set(projects.filter(key__in=keys).values_list("key", flat=True)))
        if unknown:
            raise ProjectError(f"Unknown project(s): {', '.join(unknown)}.")
        projects = projects.filter(key__in=keys)
    done: list[str] = []
    failed: dict[str, str] = {}
    for project in projects:
        try:
            migrate_project(ProjectConfig.from_model(project), verbosity=verbosity)
        except Exception as exc:
            logger.exception("Migrating project %s failed.", project.key)
            failed[project.key] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
        else:
            done.append(project.key)
    if failed:
        raise ProjectMigrationError(done, failed)
    return done


# -- delete ---------------------------------------------------------------------------------------


def delete_project(key: str, *, drop_database: bool = False, drop_tables: bool = False) -> None:
    """Remove a project from the registry; with `drop_database` its database too (first, so a
    failure to drop leaves the project registered and the command can be run again); with
    `drop_tables` only every table of its database (one the project did not create)."""
    project = Project.objects.filter(key=key).first()
    if project is None:
        raise ProjectError(f"Unknown project '{key}'.")
    config = ProjectConfig.from_model(project)
    if drop_tables and not drop_database:
        alias = ensure_connection(config)
        _drop_tables(alias, table_names(alias))
    drop_connection(config.alias)
    if drop_database:
        try:
            databases.drop_database(project.database_url)
        except (databases.DatabaseServerError, databases.InvalidDatabaseURL) as exc:
            raise ProjectError(f"Cannot drop the database of project '{key}': {exc}") from exc
    project.delete()
    _forget(key)


def _forget(key: str) -> None:
    """Drop what this process cached about the project: its registry entry and its schema."""
    from apps.schema import cache

    forget_project(key)
    cache.forget_project(key)
