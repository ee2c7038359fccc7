"""Local development and the README's run command: a usable default with no configuration."""

from .base import *  # noqa: F403
from .base import DATA_DIR, SECRET_KEY, env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)

if not SECRET_KEY:
    from directus.conf import load_or_create_secret

    SECRET_KEY = load_or_create_secret(DATA_DIR)
