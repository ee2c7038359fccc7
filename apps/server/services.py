"""What the server and project-info endpoints report (server.md, projects.md)."""

import hmac
import importlib.util
import platform
from pathlib import Path

import django
from django.db import connections

from apps.core import errors
from apps.core.expand import RowShaper
from apps.projects.models import Project
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


def _file_urls(shaper: RowShaper, file_id) -> dict | None:
    """`{full_url, url, asset_url}` of the file a setting names; None when empty or missing."""
    file = shaper.file_object(file_id)
    if file is None:
        return None
    return {key: file["data"][key] for key in ("full_url", "url", "asset_url")}


def project_info(request, project) -> dict:
    identity = request.user
    shaper = RowShaper(request, project=project)
    settings = shaper.project_settings

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
        api[key] = _file_urls(shaper, settings.get(key)) if key in FILE_SETTINGS else settings.get(key)
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
