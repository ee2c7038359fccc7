"""What a fresh Directus 8 install has in its database: the two fixed roles, the settings rows,
the metadata of the system collections, the default presets and the first admin."""

from django.db import transaction

from apps.auth.passwords import hash_password
from apps.presets.models import CollectionPreset
from apps.roles.models import ADMIN_ROLE_ID, PUBLIC_ROLE_ID, Role
from apps.schema.models import Field, Relation
from apps.schema.system_fields import SYSTEM_FIELDS, SYSTEM_PRESETS, SYSTEM_RELATIONS
from apps.settings.models import Setting
from apps.settings.services import DEFAULTS as SETTING_DEFAULTS
from apps.users.models import User, UserStatus


def seed_fresh_install(
    alias: str,
    *,
    admin_email: str,
    admin_password: str,
    admin_token: str | None = None,
    project_name: str | None = None,
    app_url: str | None = None,
    locale: str | None = None,
    timezone_name: str | None = None,
) -> User:
    with transaction.atomic(using=alias):
        Role.objects.using(alias).bulk_create(
            [
                Role(
                    id=ADMIN_ROLE_ID,
                    name="Administrator",
                    description="Admins have access to all managed data within the system by default",
                    external_id=None,
                ),
                Role(
                    id=PUBLIC_ROLE_ID,
                    name="Public",
                    description="Controls what API data is publicly available without authenticating",
                    external_id=None,
                ),
            ]
        )
        settings = dict(SETTING_DEFAULTS)
        if project_name:
            settings["project_name"] = project_name
        if app_url:
            settings["app_url"] = app_url
        Setting.objects.using(alias).bulk_create(
            [Setting(id=index, key=key, value=value) for index, (key, value) in enumerate(settings.items(), 1)]
        )
        Field.objects.using(alias).bulk_create([Field(id=index, **row) for index, row in enumerate(SYSTEM_FIELDS, 1)])
        Relation.objects.using(alias).bulk_create(
            [Relation(id=index, **row) for index, row in enumerate(SYSTEM_RELATIONS, 1)]
        )
        CollectionPreset.objects.using(alias).bulk_create(
            [CollectionPreset(id=index, **row) for index, row in enumerate(SYSTEM_PRESETS, 1)]
        )
        admin = User.objects.using(alias).create(
            id=1,
            status=UserStatus.ACTIVE,
            role=ADMIN_ROLE_ID,
            first_name="Admin",
            last_name="User",
            email=admin_email,
            password=hash_password(admin_password),
            token=admin_token or None,
            locale=locale or "en-US",
            timezone=timezone_name or "UTC",
            last_access_on=None,
        )
        _fix_sequences(alias)
    return admin


def _fix_sequences(alias: str) -> None:
    """Rows were inserted with explicit ids; PostgreSQL sequences must move past them."""
    from django.core.management.color import no_style
    from django.db import connections

    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    models = [Role, Setting, Field, Relation, CollectionPreset, User]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
