"""Reading the project's directus_settings rows with the types their keys have."""

from dataclasses import dataclass

from .models import Setting

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
    """All settings rows of the current project, in one query."""
    return ProjectSettings(dict(Setting.objects.values_list("key", "value")))
