"""The project's settings (directus_settings rows) as every app reads them: one query per schema
version (every settings write moves the version, so each worker reloads them on its next request),
with the defaults of a fresh Directus 8 install where a row is missing. The /settings endpoints
are apps.settings."""

from dataclasses import dataclass

from apps.settings.models import Setting
from directus.conf import directus_settings

from .cache import project_schema

# Defaults of a fresh Directus 8 install, used when a row is missing (older or adopted databases).
DEFAULTS: dict[str, str | None] = {
    "project_url": "",
    "project_logo": "",
    "project_color": "#263238",
    "project_foreground": "",
    "project_background": "",
    "project_public_note": "",
    "default_locale": None,
    "telemetry": "1",
    "default_limit": "200",
    "sort_null_last": "1",
    "password_policy": "",
    "auto_sign_out": "10080",
    "login_attempts_allowed": "25",
    "trusted_proxies": "",
    "file_mimetype_whitelist": "",
    "file_naming": "uuid",
    "asset_url_naming": "private_hash",
    "youtube_api_key": "",
    "asset_whitelist": '[{"key":"thumbnail","width":200,"height":200,"fit":"contain","quality":80}]',
    "asset_whitelist_system": (
        '[{"key":"directus-small-crop","width":64,"height":64,"fit":"crop","quality":80},'
        '{"key":"directus-small-contain","width":64,"height":64,"fit":"contain","quality":80},'
        '{"key":"directus-medium-crop","width":300,"height":300,"fit":"crop","quality":80},'
        '{"key":"directus-medium-contain","width":300,"height":300,"fit":"contain","quality":80},'
        '{"key":"directus-large-crop","width":800,"height":600,"fit":"crop","quality":80},'
        '{"key":"directus-large-contain","width":800,"height":600,"fit":"contain","quality":80}]'
    ),
    "project_name": "My Project",
    "app_url": "",
    "auth_token_ttl": "20",
}


@dataclass
class ProjectSettings:
    values: dict[str, str | None]

    def get(self, key: str, default: str | None = None) -> str | None:
        value = self.values.get(key, DEFAULTS.get(key))
        return default if value is None else value

    def get_int(self, key: str, default: int = 0) -> int:
        try:
            return int(str(self.get(key, "")).strip())
        except ValueError:
            return int(DEFAULTS.get(key) or default) if str(DEFAULTS.get(key) or "").isdigit() else default

    def get_bool(self, key: str) -> bool:
        return str(self.get(key, "")).strip().lower() in {"1", "true"}


def load_settings() -> ProjectSettings:
    """All settings rows of the current project: one query per schema version (every settings
    write moves the version, so each worker reloads them on its next request)."""
    return project_schema().config(
        "settings", lambda: ProjectSettings(dict(Setting.objects.values_list("key", "value")))
    )


def app_base_url(settings: ProjectSettings) -> str | None:
    """Where the project's admin app lives, for links in mails: the `app_url` setting, else
    `project_url` (or the server's public URL) + `/admin/`. Never the request's host (deviation
    5). None when none is configured."""
    app_url = (settings.get("app_url") or "").strip()
    if app_url:
        return app_url.rstrip("/") + "/"
    site = (settings.get("project_url") or "").strip() or str(directus_settings.PUBLIC_URL or "").strip()
    return site.rstrip("/") + "/admin/" if site else None
