"""Test data for the users, settings and server API tests: a non-admin user with a static token,
file rows, and the system metadata rows the code reads (inserted when a seed lacks them)."""

import datetime

import pytest
from rest_framework.test import APIClient

from apps.files.models import File
from apps.roles.models import Role
from apps.schema.models import Field, Relation
from apps.settings.models import Setting
from apps.users.models import User, UserStatus

EDITOR_TOKEN = "editor-static-token"
EDITOR_EMAIL = "editor@example.com"


def make_editor(*, enforce_2fa: bool = False, **values) -> User:
    """An active user of a new non-admin role (id 3 on a fresh install) with a static token; the
    role has the default permission rows a role created through the API gets."""
    from apps.permissions.services import create_default_permissions

    role = Role.objects.create(name="Editor", enforce_2fa=enforce_2fa)
    create_default_permissions(role.pk)
    values.setdefault("two_factor_secret", "JBSWY3DPEHPK3PXP" if enforce_2fa else None)
    return User.objects.create(
        status=UserStatus.ACTIVE,
        role=role.pk,
        email=EDITOR_EMAIL,
        token=EDITOR_TOKEN,
        first_name="Edith",
        last_name="Editor",
        **values,
    )


def client_with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def make_file(**values) -> File:
    values.setdefault("filename_disk", "logo.svg")
    values.setdefault("filename_download", "logo.svg")
    values.setdefault("type", "image/svg+xml")
    values.setdefault("private_hash", "abcd1234abcd1234")
    values.setdefault("uploaded_by", 1)
    values.setdefault("uploaded_on", datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC))
    values.setdefault("filesize", 1234)
    return File.objects.create(**values)


def ensure_field(collection: str, field: str, type_: str) -> None:
    row = Field.objects.filter(collection=collection, field=field).first()
    if row is None:
        Field.objects.create(collection=collection, field=field, type=type_)
    elif row.type != type_:
        row.type = type_
        row.save(update_fields=["type"])


def ensure_relation(collection_many: str, field_many: str, collection_one: str) -> None:
    if not Relation.objects.filter(collection_many=collection_many, field_many=field_many).exists():
        Relation.objects.create(collection_many=collection_many, field_many=field_many, collection_one=collection_one)


SETTING_TYPES = {
    "project_logo": "file",
    "project_foreground": "file",
    "project_background": "file",
    "telemetry": "boolean",
    "default_limit": "integer",
    "sort_null_last": "boolean",
    "asset_whitelist": "json",
    "file_mimetype_whitelist": "array",
    "project_color": "string",
}


def ensure_system_schema() -> None:
    """The directus_fields / directus_relations rows these tests depend on."""
    for key, type_ in SETTING_TYPES.items():
        ensure_field("directus_settings", key, type_)
    ensure_field("directus_users", "role", "m2o")
    ensure_field("directus_users", "avatar", "file")
    ensure_relation("directus_users", "role", "directus_roles")
    ensure_relation("directus_users", "avatar", "directus_files")


def set_setting(key: str, value) -> Setting:
    row, _ = Setting.objects.update_or_create(key=key, defaults={"value": value})
    return row


# -- fixtures (imported by the conftest of each API test folder) ------------------------------


@pytest.fixture
def schema(project):
    ensure_system_schema()


@pytest.fixture
def editor(project, schema) -> User:
    return make_editor()


@pytest.fixture
def editor_api(editor) -> APIClient:
    return client_with_token(EDITOR_TOKEN)


# -- helpers of the users, roles and permissions tests ----------------------------------------


def make_user(email: str, *, role: int | None = None, status: str = UserStatus.ACTIVE, **values) -> User:
    return User.objects.create(email=email, role=role, status=status, **values)


def grant(role: int, collection: str, status: str | None = None, **levels):
    """A permission row (levels default to none; blacklists as lists)."""
    from apps.permissions.models import Permission

    values = {"create": "none", "read": "none", "update": "none", "delete": "none", "comment": "none"}
    values.update(levels)
    return Permission.objects.create(role=role, collection=collection, status=status, **values)
