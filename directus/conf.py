"""The project's own settings, read through one object with defaults (like DRF's api_settings).

from directus.conf import directus_settings
directus_settings.MAX_UPLOAD_SIZE
"""

import secrets
from pathlib import Path

from django.conf import settings

DEFAULTS = {
    "DATA_DIR": Path("var"),
    # Guards project management over HTTP (/server/projects, /server/info).
    "SUPER_ADMIN_TOKEN": "",
    # Base URL the API is reached at, used for absolute URLs in mails and file objects.
    "PUBLIC_URL": "",
    # Where the Django admin for operators lives; never /admin/, which the Directus app uses.
    "ADMIN_PATH": "_admin/",
    "MAINTENANCE_FLAG": "var/maintenance",
    "MAX_UPLOAD_SIZE": 100 * 1024 * 1024,
    "BCRYPT_ROUNDS": 10,
    "PASSWORD_RESET_URL_ALLOWLIST": [],
    # Origins (scheme://host[:port]) whose requests may carry credentials (cookies): the answer
    # echoes them with Access-Control-Allow-Credentials (deviation 23). Others read without.
    "CORS_CREDENTIALS_ORIGINS": [],
    # Seconds a worker keeps a project database connection open (0: one per request).
    "DB_CONN_MAX_AGE": 60,
    # A connection that ran a statement less than this many seconds ago is not health-checked
    # again at the start of the next request (apps/projects/backends).
    "DB_HEALTH_CHECK_IDLE_SECONDS": 5,
    # PostgreSQL project connections bind parameters on the server and prepare frequent statements.
    "DB_PREPARED_STATEMENTS": True,
    # Seconds any statement on a project database may run (deviation 17); 0: no limit. A
    # project's URL may set its own (`?statement_timeout=5`).
    "STATEMENT_TIMEOUT": 30,
    # How workers hear of changes to who may do what (apps.projects.news): "auto" (PostgreSQL
    # LISTEN/NOTIFY, Redis pub/sub when REDIS_URL is set, a shared file for SQLite) or "off"
    # (every request reads the caller's credential and the schema version).
    "NEWS": "auto",
    # Seconds a worker keeps a caller's credential while no news comes (0: never kept).
    "CREDENTIAL_CACHE_SECONDS": 60,
    "REDIS_URL": "",
    "REDIS_TIMEOUT": 1.0,
    # Item reads answered without the generic request cycle (directus/fastlane.py).
    "FAST_LANE": True,
    # The lane's reads have PostgreSQL write the items' JSON (apps.items.reader.ItemReader.read_json).
    "JSON_FROM_DATABASE": True,
    # How long a worker trusts its cached copy of the project registry.
    "PROJECT_CACHE_SECONDS": 5,
    "API_VERSION": "8.8.1",
    # Limits of deviations.md.
    "MAX_RESULT_ROWS": 100_000,
    "MAX_RELATIONAL_DEPTH": 10,
    "MAX_IN_VALUES": 5_000,
    "MAX_BATCH_ITEMS": 10_000,
    "LOGIN_ATTEMPTS_PER_ACCOUNT_IP": 5,
    "LOGIN_ATTEMPTS_PER_IP": 30,
    # Password-reset requests per account and hour; wrong OTPs per account in five minutes.
    "PASSWORD_RESET_REQUESTS_PER_ACCOUNT": 3,
    "PASSWORD_RESET_REQUESTS_PER_IP": 20,
    "OTP_ATTEMPTS_PER_ACCOUNT": 5,
    # The cookie of cookie-mode logins; it is also Secure whenever the request came over HTTPS.
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    # Files and assets (deviations.md 9, 10 and § Limits). MAX_UPLOAD_SIZE may be lowered or raised
    # per project (storage option "max_upload_size") but never above UPLOAD_SIZE_CAP.
    "UPLOAD_SIZE_CAP": 512 * 1024 * 1024,
    # Hosts (names as written in the URL) or IP networks URL imports may reach although they are
    # not public addresses, e.g. ["127.0.0.1/32", "files.intranet"].
    "URL_IMPORT_ALLOWLIST": [],
    "URL_IMPORT_TIMEOUT": 30,
    "URL_IMPORT_MAX_REDIRECTS": 5,
    "THUMBNAIL_MAX_SIDE": 4096,
    "THUMBNAIL_MAX_PIXELS": 50_000_000,
    # Webhook delivery (webhooks.md; deviations.md 9 applies to it too): hosts or IP networks a
    # webhook may reach although they are not public addresses, e.g. ["127.0.0.1/32"].
    "WEBHOOK_ALLOWLIST": [],
    # Seconds one attempt may take; tries again after a failure (no answer, 5xx), the first
    # after WEBHOOK_RETRY_DELAY seconds, each further one after twice the wait before it.
    "WEBHOOK_TIMEOUT": 5,
    "WEBHOOK_RETRIES": 5,
    "WEBHOOK_RETRY_DELAY": 10.0,
    "WEBHOOK_MAX_REDIRECTS": 3,
    # Deliveries the delivery worker sends at once.
    "WEBHOOK_WORKERS": 4,
    # Seconds between the delivery worker's passes over the queues (`manage.py deliver`).
    "DELIVERY_INTERVAL": 5,
    # Days sent and failed mail and webhook deliveries are kept for operators to see.
    "DELIVERY_KEEP_DAYS": 7,
    # Creating projects over HTTP (POST /server/projects) is refused while this file exists
    # (403 code 10); empty: `<DATA_DIR>/.lock`.
    "PROJECTS_LOCK_FILE": "",
    # Extension listings (/interfaces, /layouts, /modules) scan `<dir>/core/<kind>/*/meta.json`
    # and `<dir>/custom/<kind>/*/meta.json`; empty: none are installed.
    "EXTENSIONS_DIR": "",
    # Custom endpoints under /:project/custom/<name>/...: name -> dotted path of a urlpatterns
    # module (apps may also call apps.extensions.registry.register from their ready()).
    "CUSTOM_ENDPOINTS": {},
    # GraphQL (deviation 12 and § Limits): fields on the longest path of an operation, aliases
    # per operation, lexical tokens per document, operations per document; built schemas kept.
    "GRAPHQL_MAX_DEPTH": 10,
    "GRAPHQL_MAX_ALIASES": 50,
    "GRAPHQL_MAX_TOKENS": 5_000,
    "GRAPHQL_MAX_OPERATIONS": 10,
    "GRAPHQL_SCHEMA_CACHE_SIZE": 32,
    # A built Directus 8 admin app (index.html + assets) served at /admin/; empty: /admin/ is 404.
    "APP_DIR": "",
}


class DirectusSettings:
    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown Directus setting {name!r}")
        value = getattr(settings, "DIRECTUS", {}).get(name, DEFAULTS[name])
        if name == "DATA_DIR":
            value = Path(value)
        return value


directus_settings = DirectusSettings()


def load_or_create_secret(data_dir: Path) -> str:
    """A Django secret kept under the data directory, so the two-command setup needs none."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
