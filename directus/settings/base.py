"""Settings shared by every environment. Everything an operator may change comes from the
environment; docs/configuration.md lists the variables."""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from .env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# `var` in the checkout; installed as a package (pip install .), `var` in the working directory.
_DEFAULT_DATA_DIR = BASE_DIR / "var" if (BASE_DIR / "manage.py").is_file() else Path.cwd() / "var"
DATA_DIR = Path(env_str("DIRECTUS_DATA_DIR", str(_DEFAULT_DATA_DIR))).resolve()

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "graphene_django",
    "corsheaders",
    # The outgoing mail queue; its tables live in every project database (apps.projects.routing).
    "post_office",
    "apps.core",
    "apps.projects",
    # Creating and running projects: lifecycle services, commands, the delivery worker, admin pages.
    "apps.operations",
    # Apps whose models are the directus_* system tables of each project database.
    "apps.schema",
    "apps.roles",
    "apps.users",
    "apps.permissions",
    "apps.settings",
    "apps.activity",
    "apps.revisions",
    "apps.files",
    "apps.folders",
    "apps.presets",
    "apps.webhooks",
    # API apps without tables of their own.
    "apps.auth",
    "apps.server",
    "apps.collections",
    "apps.fields",
    "apps.relations",
    "apps.items",
    "apps.assets",
    "apps.graphql",
    "apps.utils",
    "apps.mail",
    "apps.extensions",
    "apps.scim",
    "apps.openapi",
    "apps.snapshots",
    "apps.archives",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.cors.CorsMiddleware",
    "apps.core.middleware.JsonErrorsMiddleware",
    "apps.projects.middleware.ProjectMiddleware",
    "django.middleware.common.CommonMiddleware",
    "apps.core.middleware.AdminSiteMiddleware",
]

# Run by AdminSiteMiddleware for the operators' admin only: the API authenticates every request
# itself, keeps no Django session and answers JSON, so the rest of the site skips them.
ADMIN_SITE_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# The admin's checks look for those three in MIDDLEWARE; they run inside AdminSiteMiddleware.
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410"]

if env_bool("DIRECTUS_COUNT_STATEMENTS", False):
    MIDDLEWARE.insert(
        MIDDLEWARE.index("apps.projects.middleware.ProjectMiddleware") + 1,
        "apps.core.middleware.StatementCountMiddleware",
    )

ROOT_URLCONF = "directus.urls"
APPEND_SLASH = False
WSGI_APPLICATION = "directus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "directus" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The control database holds the project registry and Django's own tables (operators, admin).
# Each project's database is registered at run time by apps.projects.registry.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DIRECTUS_CONTROL_DATABASE_URL", f"sqlite:///{DATA_DIR / 'control.sqlite3'}"),
        conn_max_age=env_int("DIRECTUS_DB_CONN_MAX_AGE", 0),
    )
}
DATABASE_ROUTERS = ["apps.projects.routing.ProjectRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

AUTH_PASSWORD_VALIDATORS = []

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "_static/"
STATIC_ROOT = DATA_DIR / "static"

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DIRECTUS_MAX_JSON_BODY", 32 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DIRECTUS_MAX_QUERY_PARAMS", 1000)

EMAIL_BACKEND = env_str("DIRECTUS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DIRECTUS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DIRECTUS_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DIRECTUS_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DIRECTUS_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DIRECTUS_EMAIL_USE_TLS", False)
# Seconds an SMTP connection may wait on the server (connect, each command): a hanging server
# holds the delivery worker no longer.
EMAIL_TIMEOUT = env_float("DIRECTUS_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DIRECTUS_MAIL_FROM", "admin@example.com")

# Mail is queued in the project's database and sent by `manage.py deliver` through EMAIL_BACKEND
# (apps.mail.outbox). A failed attempt is tried again after RETRY_INTERVAL, doubled at each
# further failure, at most MAX_RETRIES times; then the mail stays "failed" for the operator.
POST_OFFICE = {
    "MAX_RETRIES": env_int("DIRECTUS_MAIL_MAX_RETRIES", 5),
    "RETRY_INTERVAL": timedelta(seconds=env_int("DIRECTUS_MAIL_RETRY_SECONDS", 300)),
    "BATCH_SIZE": 100,
    # A batch ends after this many seconds (the mail lease of apps.mail.outbox lasts that long).
    "BATCH_DELIVERY_TIMEOUT": 180,
    "THREADS_PER_PROCESS": 2,
    "LOG_LEVEL": 1,  # a log row per failed attempt only
    "SENDING_ORDER": ["created"],
}


def redis_cache(url: str) -> dict:
    """The cache on Redis. A Redis that stops answering must not hold requests: its calls give
    up after DIRECTUS_REDIS_TIMEOUT seconds, and the throttles count in the control database
    instead (deviation 18)."""
    timeout = float(env_str("DIRECTUS_REDIS_TIMEOUT", "1"))
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
    }


_redis_url = env_str("DIRECTUS_REDIS_URL")
CACHES = {
    "default": redis_cache(_redis_url) if _redis_url else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["apps.core.renderers.DirectusJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.auth.authentication.DirectusAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": "apps.auth.identity.public_identity",
    "UNAUTHENTICATED_TOKEN": None,
    "EXCEPTION_HANDLER": "apps.core.handlers.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.core.negotiation.IgnoreAcceptNegotiation",
}

LOG_JSON = env_bool("DIRECTUS_LOG_JSON", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "apps.core.logging.JsonFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_JSON else "plain",
        }
    },
    "root": {"handlers": ["stdout"], "level": env_str("DIRECTUS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR", "propagate": True},
        # Through our handler (post_office adds its own to a logger that has none); its counts of
        # every pass are left out, apps.mail.outbox logs what it sent.
        "post_office": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}

# CORS (deviation 23): the allowed origins (by default any) read answers; credentials (cookies)
# only for the origins of DIRECTUS["CORS_CREDENTIALS_ORIGINS"] (apps.core.cors).
CORS_ALLOW_CREDENTIALS = False
_cors_enabled = env_bool("DIRECTUS_CORS_ENABLED", True)
_cors_origins = env_list("DIRECTUS_CORS_ORIGINS", ["*"]) if _cors_enabled else []
CORS_ALLOW_ALL_ORIGINS = "*" in _cors_origins
CORS_ALLOWED_ORIGINS = [origin for origin in _cors_origins if origin != "*"]
CORS_ALLOW_HEADERS = ["x-directus-project", "content-type", "authorization"]
CORS_ALLOW_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The project's own options (see directus/conf.py for defaults and meaning).
DIRECTUS = {
    "DATA_DIR": DATA_DIR,
    "SUPER_ADMIN_TOKEN": env_str("DIRECTUS_SUPER_ADMIN_TOKEN"),
    "PUBLIC_URL": env_str("DIRECTUS_PUBLIC_URL"),
    "ADMIN_PATH": env_str("DIRECTUS_ADMIN_PATH", "_admin/"),
    "MAINTENANCE_FLAG": env_str("DIRECTUS_MAINTENANCE_FLAG", str(DATA_DIR / "maintenance")),
    "MAX_UPLOAD_SIZE": env_int("DIRECTUS_MAX_UPLOAD_SIZE", 100 * 1024 * 1024),
    "DB_CONN_MAX_AGE": env_int("DIRECTUS_PROJECT_DB_CONN_MAX_AGE", 60),
    "NEWS": env_str("DIRECTUS_NEWS", "auto"),
    "CREDENTIAL_CACHE_SECONDS": env_float("DIRECTUS_CREDENTIAL_CACHE_SECONDS", 60),
    "REDIS_URL": _redis_url,
    "REDIS_TIMEOUT": env_float("DIRECTUS_REDIS_TIMEOUT", 1),
    "FAST_LANE": env_bool("DIRECTUS_FAST_LANE", True),
    "JSON_FROM_DATABASE": env_bool("DIRECTUS_JSON_FROM_DATABASE", True),
    "DB_HEALTH_CHECK_IDLE_SECONDS": env_int("DIRECTUS_PROJECT_DB_HEALTH_CHECK_IDLE_SECONDS", 5),
    "DB_PREPARED_STATEMENTS": env_bool("DIRECTUS_PROJECT_DB_PREPARED_STATEMENTS", True),
    "STATEMENT_TIMEOUT": env_float("DIRECTUS_STATEMENT_TIMEOUT", 30),
    "PASSWORD_RESET_URL_ALLOWLIST": env_list("DIRECTUS_PASSWORD_RESET_URL_ALLOWLIST"),
    "CORS_CREDENTIALS_ORIGINS": env_list("DIRECTUS_CORS_CREDENTIALS_ORIGINS") if _cors_enabled else [],
    "APP_DIR": env_str("DIRECTUS_APP_DIR"),
    "DELIVERY_INTERVAL": env_float("DIRECTUS_DELIVERY_INTERVAL", 5),
    "DELIVERY_KEEP_DAYS": env_float("DIRECTUS_DELIVERY_KEEP_DAYS", 7),
    "WEBHOOK_ALLOWLIST": env_list("DIRECTUS_WEBHOOK_ALLOWLIST"),
    "WEBHOOK_TIMEOUT": env_float("DIRECTUS_WEBHOOK_TIMEOUT", 5),
    "WEBHOOK_RETRIES": env_int("DIRECTUS_WEBHOOK_RETRIES", 5),
    "WEBHOOK_RETRY_DELAY": env_float("DIRECTUS_WEBHOOK_RETRY_SECONDS", 10),
    "WEBHOOK_WORKERS": env_int("DIRECTUS_WEBHOOK_WORKERS", 4),
}
