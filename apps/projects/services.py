"""Creating, adopting, migrating and deleting projects. Used by the management commands, the
Django admin and POST/DELETE /server/projects alike."""

import logging
from io import StringIO

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connections, transaction

from directus.conf import directus_settings
from directus.db_router import PROJECT_APP_LABELS

from . import databases
from .install import seed_fresh_install
from .models import Project, validate_project_key
from .registry import ProjectConfig, drop_connection, ensure_connection, forget_project

logger = logging.getLogger("directus.projects")

# Tables whose presence marks a database as a Directus 8 install.
DIRECTUS_MARKER_TABLES = {"directus_users", "directus_roles", "directus_settings", "directus_collections"}


class ProjectError(Exception):
    """A project operation that cannot be done as asked (message is for the operator)."""


def default_database_url(key: str) -> str:
    path = directus_settings.DATA_DIR / "projects" / f"{key}.sqlite3"
    return f"sqlite:///{path.resolve()}"


def table_names(alias: str) -> set[str]:
    with connections[alias].cursor() as cursor:
        return set(connections[alias].introspection.table_names(cursor))


def migrate_project(config: ProjectConfig, *, adopt: bool = False, verbosity: int = 0) -> None:
    """Apply pending system migrations to one project database.

    When adopting a Directus 8 database, the initial migrations describe tables that already
    exist: they are recorded as applied without running, so none of those tables change."""
    alias = ensure_connection(config)
    out = StringIO()
    if adopt:
        for label in sorted(PROJECT_APP_LABELS - {"runtime"}):
            call_command("migrate", label, "0001", database=alias, fake=True, verbosity=verbosity, stdout=out)
    call_command("migrate", database=alias, verbosity=verbosity, interactive=False, stdout=out)
    if verbosity:
        logger.info(out.getvalue())


def create_project(
    key: str,
    *,
    database_url: str | None = None,
    admin_email: str | None = None,
    admin_password: str | None = None,
    admin_token: str | None = None,
    project_name: str | None = None,
    existing: bool = False,
    private: bool = False,
    storage: dict | None = None,
) -> Project:
    try:
        validate_project_key(key)
    except ValidationError as exc:
        raise ProjectError(" ".join(exc.messages)) from exc
    if Project.objects.filter(key=key).exists():
        raise ProjectError(f"Project '{key}' already exists.")
    url = databases.normalise_url(database_url or default_database_url(key))
    engine = databases.engine_of(url)
    if not existing and not (admin_email and admin_password):
        raise ProjectError("A new project needs --admin-email and --admin-password.")

    project = Project(key=key, database_url=url, private=private, adopted=existing, storage=storage or {})
    config = ProjectConfig.from_model(project)
    created_database = False
    try:
        if existing:
            if not databases.database_exists(url):
                raise ProjectError("--existing needs a database that exists.")
        else:
            created_database = databases.create_database(url)
        alias = ensure_connection(config)
        found = table_names(alias)
        if existing:
            missing = DIRECTUS_MARKER_TABLES - found
            if missing:
                raise ProjectError(f"Not a Directus 8 database: missing {', '.join(sorted(missing))}.")
        elif found & DIRECTUS_MARKER_TABLES:
            raise ProjectError("The database already holds Directus tables; adopt it with --existing.")
        migrate_project(config, adopt=existing)
        if not existing:
            seed_fresh_install(
                alias,
                admin_email=admin_email,
                admin_password=admin_password,
                admin_token=admin_token,
                project_name=project_name,
            )
        with transaction.atomic(using="default"):
            project.save()
    except Exception:
        drop_connection(config.alias)
        if created_database:
            logger.warning("Creating project %s failed; removing its new %s database.", key, engine)
            databases.drop_database(url)
        raise
    finally:
        forget_project(key)
    return project


def delete_project(key: str, *, drop_database: bool = False) -> None:
    project = Project.objects.filter(key=key).first()
    if project is None:
        raise ProjectError(f"Unknown project '{key}'.")
    config = ProjectConfig.from_model(project)
    drop_connection(config.alias)
    if drop_database:
        databases.drop_database(project.database_url)
    project.delete()
    forget_project(key)


def migrate_all_projects(keys: list[str] | None = None, verbosity: int = 0) -> list[str]:
    projects = Project.objects.all()
    if keys:
        projects = projects.filter(key__in=keys)
    done = []
    for project in projects:
        migrate_project(ProjectConfig.from_model(project), verbosity=verbosity)
        done.append(project.key)
    return done
