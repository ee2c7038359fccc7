"""What the server and project-info endpoints report (server.md, projects.md)."""

import hmac
import importlib.util
import platform
from pathlib import Path

import django
from django.db import connections

from apps.core import errors
from apps.files.urls_data import FileDataBuilder
from apps.projects.models import Project
from apps.schema.project_settings import load_settings
from directus.conf import directus_settings

# -- super-admin token ----------------------------------------------------------------------


def check_super_admin_token(token) -> None:
    """Once any project exists the super-admin token is required (missing → 422 code 4, wrong →
    401 code 3). Before the first install there is nothing to protect."""
    if not Project.objects.using("default").exists():
        return
    if token is None or token == "":
        raise errors.InvalidRequest("super_admin_token: This value should not be blank.")
    expected = directus_settings.SUPER_ADMIN_TOKEN or ""
    if not isinstance(token, str) or not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise errors.Unauthorized("Permission denied: Superadmin Only")


# -- POST /:project/update -------------------------------------------------------------------


def update_project(project) -> None:
    """Apply the project's pending system migrations (Directus 8 ran its own migrations here)."""
    from apps.operations.services import migrate_project

    migrate_project(project)


# -- /server/info ---------------------------------------------------------------------------


def python_version() -> str:
    return f"Python {platform.python_version()}"


def django_version() -> str:
    return f"Django {django.get_version()}"


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _octal_mode(path: Path) -> str | None:
    """Permissions of `path` (or of its nearest existing parent) as `0755`."""
    for candidate in (path, *path.parents):
        try:
            return format(candidate.stat().st_mode & 0o7777, "04o")
        except OSError:
            continue
    return None


def server_info(server_software: str | None) -> dict:
    """The host, in Directus 8's keys: our runtime stands in for PHP's (server.md)."""
    data_dir = Path(directus_settings.DATA_DIR)
    return {
        "directus": directus_settings.API_VERSION,
        "server": {
            "type": server_software or django_version(),
            "rewrites": None,
            "os": platform.system(),
            "os_version": platform.version(),
        },
        "php": {
            "version": python_version(),
            "max_upload_size": directus_settings.MAX_UPLOAD_SIZE,
            "extensions": {
                "pdo": True,  # database access through Django's backends
                "mysqli": _has_module("MySQLdb") or _has_module("pymysql"),
                "curl": True,  # outgoing HTTP from the standard library
                "gd": _has_module("PIL"),
                "fileinfo": True,
                "mbstring": True,
                "json": True,
            },
        },
        "permissions": {
            "public": _octal_mode(data_dir),
            "logs": _octal_mode(data_dir / "logs"),
            "uploads": _octal_mode(data_dir / "uploads"),
        },
    }


def public_project_keys() -> list[str]:
    """Keys of the projects listed by GET /server/projects (private ones left out)."""
    return list(Project.objects.using("default").filter(private=False).order_by("key").values_list("key", flat=True))


# -- GET /:project/ -------------------------------------------------------------------------

FILE_SETTINGS = ("project_logo", "project_foreground", "project_background")


def _file_urls(files: FileDataBuilder, file_id) -> dict | None:
    """`{full_url, url, asset_url}` of the file a setting names; None when empty or missing."""
    from apps.files.models import File

    try:
        row = File.objects.filter(pk=int(file_id)).values().first() if file_id not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return files.file_urls(row) if row is not None else None


def project_info(request, project) -> dict:
    identity = request.user
    settings = load_settings()
    files = FileDataBuilder(request, project=project, settings=settings)

    api = {"requires2FA": False}
    if not identity.is_public:
        from apps.roles.models import Role

        role = Role.objects.filter(pk=identity.role_id).first() if identity.role_id is not None else None
        api = {
            "version": directus_settings.API_VERSION,
            "requires2FA": bool(role and role.enforce_2fa),
            "database": connections[project.alias].vendor,
        }
    api["project_name"] = settings.get("project_name")
    for key in ("project_logo", "project_color", "project_foreground", "project_background"):
        api[key] = _file_urls(files, settings.get(key)) if key in FILE_SETTINGS else settings.get(key)
    api["project_public_note"] = settings.get("project_public_note") or None
    api["default_locale"] = settings.get("default_locale")
    api["telemetry"] = settings.get_bool("telemetry")

    data = {"api": api}
    if not identity.is_public:
        server = {"max_upload_size": directus_settings.MAX_UPLOAD_SIZE}
        if identity.is_admin:
            server["general"] = {"php_version": python_version(), "php_api": django_version()}
        data["server"] = server
    return data


# -- POST /server/projects, DELETE /server/projects/:project ----------------------------------------

PROJECT_OBJECTS = ("cache", "storage", "auth", "rate_limit", "mail", "cors")
PROJECT_STRINGS = (
    "project_name",
    "app_url",
    "timezone",
    "locale",
    "user_token",
    "mail_from",
    "logs_path",
    "db_host",
    "db_password",
    "db_socket",
    "db_type",
)
# db_type is ours: Directus 8 only spoke MySQL; `postgres` lets the same keys name a PostgreSQL
# database. Without db_name the project gets an SQLite database under the data directory.
DB_SCHEMES = {
    "mysql": "mysql",
    "mariadb": "mysql",
    "postgres": "postgres",
    "postgresql": "postgres",
    "pgsql": "postgres",
}
DEFAULT_PORTS = {"mysql": 3306, "postgres": 5432}


def require_super_admin_token(token) -> None:
    """Project management over HTTP: the configured super-admin token, always (missing → 422 code
    4, wrong → 401 code 3). With no token configured it is refused altogether: the operator's
    DIRECTUS_SUPER_ADMIN_TOKEN plays the part of the token Directus 8 stored at its first install."""
    if token is None or token == "":
        raise errors.InvalidRequest("super_admin_token: This value should not be blank.")
    expected = directus_settings.SUPER_ADMIN_TOKEN or ""
    if not isinstance(token, str) or not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise errors.Unauthorized("Permission denied: Superadmin Only")


def projects_lock_file() -> Path:
    configured = str(directus_settings.PROJECTS_LOCK_FILE or "").strip()
    return Path(configured) if configured else Path(directus_settings.DATA_DIR) / ".lock"


def _flag(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if value in (True, False, None, 0, 1, "0", "1", "true", "false", ""):
        return value in (True, 1, "1", "true")
    raise errors.InvalidRequest(f"{name}: This value should be of type boolean.")


def _text(body: dict, name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise errors.InvalidRequest(f"{name}: This value should not be blank.")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise errors.InvalidRequest(f"{name}: This value should be of type string.")
    return str(value)


def database_url_from(body: dict, key: str) -> str:
    """The project database's URL from the db_* keys (projects.md), or the SQLite default."""
    from urllib.parse import quote

    from apps.operations.services import default_database_url

    name = _text(body, "db_name")
    if name is None:
        if any(body.get(field) not in (None, "") for field in ("db_user", "db_host", "db_port", "db_socket")):
            raise errors.InvalidRequest("db_name: This value should not be blank.")
        return default_database_url(key)
    user = _text(body, "db_user", required=True)
    kind = (_text(body, "db_type") or "mysql").lower()
    scheme = DB_SCHEMES.get(kind)
    if scheme is None:
        raise errors.InvalidRequest(f"db_type: must be one of {', '.join(sorted(DB_SCHEMES))}")
    password = _text(body, "db_password") or ""
    credentials = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    socket_path = _text(body, "db_socket")
    if socket_path:
        location = quote(socket_path, safe="")
    else:
        host = _text(body, "db_host") or "localhost"
        port = body.get("db_port") if body.get("db_port") not in (None, "") else DEFAULT_PORTS[scheme]
        if isinstance(port, str) and port.isdigit():
            port = int(port)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise errors.InvalidRequest("db_port: must be a port number")
        if any(char in host for char in "/@?#") or not host.strip():
            raise errors.InvalidRequest("db_host: This value is not a valid host.")
        location = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return f"{scheme}://{credentials}@{location}/{quote(name, safe='')}"


def create_project_from(body) -> None:
    """POST /server/projects: validate (422 4), check the token (401 3), the lock (403 10) and
    conflicts (409 18), then create the project as `manage.py createproject` does (database,
    system tables, fresh install rows, first admin); an unreachable database is 400 code 19."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.db import DatabaseError

    from apps.operations.services import ProjectError, create_project, delete_project
    from apps.projects import databases
    from apps.projects.models import validate_project_key

    if not isinstance(body, dict) or not body:
        raise errors.InvalidPayload()
    require_super_admin_token(body.get("super_admin_token"))
    key = _text(body, "project", required=True)
    try:
        validate_project_key(key)
    except ValidationError as exc:
        raise errors.InvalidRequest(f"project: {' '.join(exc.messages)}") from None
    existing = _flag(body, "existing")
    force = _flag(body, "force") and not existing
    private = _flag(body, "private")
    for name in PROJECT_OBJECTS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            raise errors.InvalidRequest(f"{name}: This value should be of type object.")
    for name in PROJECT_STRINGS:
        _text(body, name)
    email = _text(body, "user_email", required=not existing)
    password = _text(body, "user_password", required=not existing)
    if email is not None:
        try:
            validate_email(email)
        except ValidationError:
            raise errors.InvalidRequest("user_email: This value is not a valid email address.") from None
    url = database_url_from(body, key)
    try:
        url = databases.normalise_url(url)
    except databases.InvalidDatabaseURL as exc:
        raise errors.InvalidRequest(str(exc)) from None

    if projects_lock_file().exists():
        raise errors.Forbidden("Creating new instance is locked")
    if Project.objects.using("default").filter(key=key).exists():
        if not force:
            raise errors.ProjectExists(f"Project already exists: {key}")
        try:
            delete_project(key, drop_database=True)
        except ProjectError as exc:
            raise errors.InvalidDatabaseConnection(str(exc)) from exc

    options = {}
    if not existing:
        options = {
            "admin_email": email,
            "admin_password": password,
            "admin_token": _text(body, "user_token"),
            "project_name": _text(body, "project_name"),
            "app_url": _text(body, "app_url"),
            "locale": _text(body, "locale"),
            "timezone_name": _text(body, "timezone"),
        }
    try:
        create_project(
            key,
            database_url=url,
            existing=existing,
            private=private,
            storage=body.get("storage") or None,
            **options,
        )
    except ProjectError as exc:
        cause = exc.__cause__
        message = str(exc)
        if isinstance(cause, databases.DatabaseServerError | DatabaseError) or message.startswith("Database error"):
            raise errors.InvalidDatabaseConnection(message) from exc
        if "already" in message:
            raise errors.ProjectExists(message) from exc
        raise errors.InvalidRequest(message) from exc


def delete_project_named(key: str, token) -> None:
    """DELETE /server/projects/:project: token (422 4 / 401 3), unknown project 404 code 1, then
    every table of its database (the database itself) and its configuration are removed."""
    from apps.operations.services import ProjectError, delete_project

    require_super_admin_token(token)
    if not Project.objects.using("default").filter(key=key).exists():
        raise errors.RouteNotFound(f"Unknown Project: {key}")
    try:
        delete_project(key, drop_database=True)
    except ProjectError as exc:
        raise errors.InvalidDatabaseConnection(str(exc)) from exc
