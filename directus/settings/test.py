"""The test suite: fast hashing, in-memory mail, data under a temporary directory."""

import tempfile
from datetime import timedelta
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, DIRECTUS, POST_OFFICE

SECRET_KEY = "test-secret-key-not-for-production"
DEBUG = False
DATA_DIR = Path(tempfile.mkdtemp(prefix="directus-test-"))
DIRECTUS = {**DIRECTUS, "DATA_DIR": DATA_DIR, "MAINTENANCE_FLAG": str(DATA_DIR / "maintenance")}
DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "control.sqlite3")}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A mail that failed is due again at once: the next delivery run in a test tries it.
POST_OFFICE = {**POST_OFFICE, "RETRY_INTERVAL": timedelta(0)}
# Cost 4 keeps the suite fast; stored hashes still use the $2y$ format.
DIRECTUS["BCRYPT_ROUNDS"] = 4
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
