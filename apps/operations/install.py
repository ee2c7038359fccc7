"""What a fresh Directus 8 install has in its database: the two fixed roles, the settings rows,
the metadata of the system collections, the default presets, the record of Directus 8's own
schema migrations and the first admin."""

from django.db import transaction
from django.utils import timezone

from apps.core.passwords import hash_password
from apps.presets.models import CollectionPreset
from apps.roles.models import ADMIN_ROLE_ID, PUBLIC_ROLE_ID, Role
from apps.schema.models import Field, Migration, Relation
from apps.schema.project_settings import DEFAULTS as SETTING_DEFAULTS
from apps.schema.system_fields import SYSTEM_FIELDS, SYSTEM_PRESETS, SYSTEM_RELATIONS
from apps.settings.models import Setting
from apps.users.models import User, UserStatus

# Directus 8.8.1's own (Phinx) migrations, install and upgrade alike, as `version name` lines. A
# fresh 8.8.1 install records every one of them in directus_migrations as applied; recording
# them here too keeps our databases readable by tools that look there for pending migrations.
_DIRECTUS8_MIGRATION_LINES = """
20180220023123 create_fields_table
20180220023138 create_activity_table
20180220023152 create_collections_presets_table
20180220023157 create_collections_table
20180220023208 create_files_table
20180220023213 create_folders_table
20180220023217 create_roles_table
20180220023226 create_permissions_table
20180220023232 create_relations_table
20180220023238 create_revisions_table
20180220023243 create_settings_table
20180220023248 create_users_table
20181022175715 upgrade_070003
20181102153600 timezone_choices
20181105165224 upgrade_070006
20181122195602 locale_interface
20181123171520 remove_scope
20181210204720 add_trusted_proxies_setting_field
20181222023800 add_project_url_setting_field
20181227042755 increase_users_last_page_length
20190104155309 add_users_email_validation
20190111193724 add_app_url_setting_field
20190111212736 add_missing_settings_field
20190118181424 add_roles_users_field
20190130215921 add_files_checksum_field
20190318173400 add_nav_override
20190412122400 set_password_type_to_hash
20190412123000 use_file_interface
20190412145800 set_o2m_options_roles
20190415125300 set_width
20190419154400 settings_fields
20190419161200 collection_notes
20190419173000 misc_required_fields
20190422131600 use_json
20190426156200 set_nullable_value_field_settings_table
20190520094300 use_timeline
20190614103321 add_users_2fa_secret_field
20190618190024 add_enforce_2fa_role_field
20190626114228 add_file_naming_in_setting
20190702092323 add_login_attempts_allowed_setting
20190704063752 update_istanbul_timezone
20190708095522 add_file_extension_setting
20190722110232 password_validation_setting_field
20190726064001 update_note_for_default_limit
20190819070856 update_directus_fields_field
20190912072543 create_user_sessions
20190917090849 create_webhooks
20191123053252 update_directus_files_field
20191129123300 use_new_wysiwyg
20191202164200 add_user_sessions
20191202164201 add_webhooks
20191202164202 remove_activity_seen
20191202164203 convert_user_roles
20191202164204 update_directus_users
20191202164205 update_directus_settings
20191202164206 update_directus_files
20191202164207 update_directus_roles
20191202164208 reset_directus_relations
20191202164209 reset_directus_fields
20191203105400 add_hash_filedownload_if_empty
20191204151300 use_correct_wysiwyg
20191205150000 update_directus_thumbnail_sizes
20191209130300 add_project_public_note
20191209141700 set_options_collection_listing
20191211140300 allow_null_in_settings
20191211141600 hide_externalid
20191213160000 new_translations_structure
20191216134009 add_user_last_password_update
20191216175050 remove_file_max_size
20191220102232 update_user_created_to_owner
20191223121542 update_slug_type
20200108122313 add_asset_url_naming_setting
20200120170859 update_type_of_collection_listing
20200121134200 rename_toggle
20200121134353 update_user_created_interface
20200123161848 update_validation_size_for_directus_field
20200129100037 update_login_attempt_value
20200207095101 update_slug_option_for_asset_white_list
20200303111750 add_auth_ttl_field
"""

# (version, Phinx class name) of each Directus 8.8.1 migration, oldest first.
DIRECTUS8_MIGRATIONS: tuple[tuple[int, str], ...] = tuple(
    sorted(
        (int(version), "".join(part.capitalize() for part in name.split("_")))
        for version, name in (line.split() for line in _DIRECTUS8_MIGRATION_LINES.split("\n") if line.strip())
    )
)


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
        now = timezone.now().replace(microsecond=0)
        Migration.objects.using(alias).bulk_create(
            [
                Migration(version=version, migration_name=name, start_time=now, end_time=now, breakpoint=False)
                for version, name in DIRECTUS8_MIGRATIONS
            ]
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
