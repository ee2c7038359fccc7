import re
import secrets

from django.core.exceptions import ValidationError
from django.db import models

KEY_PATTERN = re.compile(r"^[0-9a-z_-]+$")

# First path segments that are global routes, never project keys (spec: README § URL layout);
# `uploads` starts local storage's file URLs, `/uploads/<project>/originals/<name>` (files.md).
RESERVED_KEYS = frozenset({"server", "interfaces", "modules", "layouts", "types", "projects", "admin", "uploads"})
UPLOADS_PREFIX = "uploads"


def validate_project_key(key: str) -> None:
    if not key or len(key) > 64 or not KEY_PATTERN.match(key):
        raise ValidationError("A project key is 1-64 characters of a-z, 0-9, '_' and '-'.")
    if key in RESERVED_KEYS:
        raise ValidationError(f"'{key}' is a reserved name.")
    # Directus 8 treats names starting with "_" (other than "_" itself) as disabled configs;
    # we keep that space for our own routes (the operators' admin, static files).
    if key.startswith("_") and key != "_":
        raise ValidationError("Only the default project key may start with '_'.")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Project(models.Model):
    """One tenant: its own database, auth secret and storage, kept in the control database."""

    key = models.CharField(max_length=64, unique=True, validators=[validate_project_key])
    database_url = models.TextField(help_text="Connection URL of the project's database.")
    # Signs this project's JWTs; a token of one project never verifies in another.
    secret_key = models.CharField(max_length=128, default=new_secret)
    # The JWT `key` claim (Directus 8 `auth.public_key`).
    public_key = models.CharField(max_length=128, default=new_secret)
    storage = models.JSONField(
        default=dict, blank=True, help_text='Storage settings, e.g. {"backend": "local"} or S3 options.'
    )
    private = models.BooleanField(default=False, help_text="Hidden from GET /server/projects.")
    adopted = models.BooleanField(default=False, help_text="Adopted from an existing Directus 8 database.")
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return self.key
