"""The seed metadata of a fresh install (apps/schema/system_fields.py) against the spec and our models."""

from collections import Counter

import pytest
from django.apps import apps

from apps.presets.models import CollectionPreset
from apps.schema.models import Field, Relation
from apps.schema.project_settings import DEFAULTS as SETTING_DEFAULTS
from apps.schema.system_fields import SYSTEM_FIELDS, SYSTEM_PRESETS, SYSTEM_RELATIONS

# system-schema.md, "Directus field types".
DIRECTUS_TYPES = {
    "alias",
    "array",
    "binary",
    "boolean",
    "date",
    "datetime",
    "datetime_created",
    "datetime_updated",
    "decimal",
    "file",
    "group",
    "hash",
    "integer",
    "json",
    "lang",
    "m2o",
    "o2m",
    "owner",
    "slug",
    "sort",
    "status",
    "string",
    "time",
    "translation",
    "user",
    "user_updated",
    "uuid",
}
ALIAS_TYPES = {"alias", "o2m", "group", "translation"}
WIDTHS = {"half", "half-left", "half-right", "full", "fill", "half-space"}

# Columns a fresh 8.8.1 install has no directus_fields row for.
COLUMNS_WITHOUT_ROW = {
    ("directus_collection_presets", "translation"),  # spec: returned as stored text
    ("directus_settings", "id"),  # directus_settings rows describe setting keys, not columns
    ("directus_settings", "key"),
    ("directus_settings", "value"),
    ("directus_migrations", "version"),  # Phinx bookkeeping, no metadata
    ("directus_migrations", "migration_name"),
    ("directus_migrations", "start_time"),
    ("directus_migrations", "end_time"),
    ("directus_migrations", "breakpoint"),
}
# The 8.8.1 install seeds this row under the wrong collection; there is no such column.
ROWS_WITHOUT_COLUMN = {("directus_fields", "auth_token_ttl")}
# Settings with a default value but no form row in 8.8.1 (their values stay plain strings).
SETTINGS_WITHOUT_ROW = {"app_url", "trusted_proxies"}
# Relation rows 2, 3 and 8 name tables that no longer exist (spec: stale, inert).
STALE_COLLECTIONS = {"directus_collections_presets", "directus_groups"}


def system_models():
    return [model for model in apps.get_models() if model._meta.db_table.startswith("directus_")]


def system_columns() -> set[tuple[str, str]]:
    return {(model._meta.db_table, field.column) for model in system_models() for field in model._meta.concrete_fields}


def rows_by_key() -> dict[tuple[str, str], dict]:
    return {(row["collection"], row["field"]): row for row in SYSTEM_FIELDS}


def model_field_names(model, *, exclude=("id",)) -> set[str]:
    return {field.name for field in model._meta.concrete_fields} - set(exclude)


def test_collection_field_pairs_are_unique():
    counts = Counter((row["collection"], row["field"]) for row in SYSTEM_FIELDS)
    assert [pair for pair, count in counts.items() if count > 1] == []


def test_rows_have_exactly_the_model_columns():
    expected = model_field_names(Field)
    for row in SYSTEM_FIELDS:
        assert set(row) == expected, row


def test_types_are_known_lowercase_directus_types():
    unknown = {
        (row["collection"], row["field"], row["type"]) for row in SYSTEM_FIELDS if row["type"] not in DIRECTUS_TYPES
    }
    assert unknown == set()


def test_values_have_the_model_types():
    for row in SYSTEM_FIELDS:
        key = (row["collection"], row["field"])
        assert isinstance(row["options"], dict | list | type(None)), key
        assert isinstance(row["translation"], dict | list | type(None)), key
        for flag in ("locked", "required", "readonly", "hidden_detail", "hidden_browse"):
            assert isinstance(row[flag], bool), (key, flag)
        assert row["sort"] is None or isinstance(row["sort"], int), key
        assert row["width"] in WIDTHS, key
        assert row["collection"].startswith("directus_"), key


def test_every_system_column_has_a_row():
    missing = {pair for pair in system_columns() if pair not in rows_by_key()}
    assert missing == COLUMNS_WITHOUT_ROW


def test_non_alias_rows_match_columns_and_alias_rows_do_not():
    columns = system_columns()
    tables = {model._meta.db_table for model in system_models()}
    assert {row["collection"] for row in SYSTEM_FIELDS} <= tables
    orphans = set()
    for key, row in rows_by_key().items():
        if row["collection"] == "directus_settings":
            continue
        if row["type"] in ALIAS_TYPES:
            assert key not in columns, key
        elif key not in columns:
            orphans.add(key)
    assert orphans == ROWS_WITHOUT_COLUMN


def test_every_setting_default_has_a_settings_row():
    setting_rows = {row["field"]: row for row in SYSTEM_FIELDS if row["collection"] == "directus_settings"}
    missing = {key for key in SETTING_DEFAULTS if key not in setting_rows}
    assert missing == SETTINGS_WITHOUT_ROW
    # The other direction: every non-alias row is a known setting; the alias rows are form dividers.
    for key, row in setting_rows.items():
        if row["type"] == "alias":
            assert row["interface"] == "divider", key
        else:
            assert key in SETTING_DEFAULTS, key


@pytest.mark.parametrize(
    ("collection", "field", "type_"),
    [
        ("directus_users", "status", "status"),
        ("directus_users", "password", "hash"),
        ("directus_users", "avatar", "file"),
        ("directus_users", "role", "m2o"),
        ("directus_users", "email", "string"),
        ("directus_users", "2fa_secret", "string"),
        ("directus_files", "tags", "array"),
        ("directus_files", "uploaded_by", "owner"),
        ("directus_files", "data", "alias"),
        ("directus_files", "metadata", "json"),
        ("directus_roles", "users", "o2m"),
        ("directus_roles", "ip_whitelist", "array"),
        ("directus_collections", "fields", "o2m"),
        ("directus_webhooks", "status", "status"),
        ("directus_user_sessions", "user", "user"),
        ("directus_permissions", "read_field_blacklist", "array"),
        ("directus_settings", "project_name", "string"),
        ("directus_settings", "project_logo", "file"),
        ("directus_settings", "project_foreground", "file"),
        ("directus_settings", "project_background", "file"),
        ("directus_settings", "telemetry", "boolean"),
        ("directus_settings", "sort_null_last", "boolean"),
        ("directus_settings", "default_limit", "integer"),
        ("directus_settings", "auto_sign_out", "integer"),
        ("directus_settings", "login_attempts_allowed", "integer"),
        ("directus_settings", "auth_token_ttl", "integer"),
        ("directus_settings", "file_mimetype_whitelist", "array"),
        ("directus_settings", "asset_whitelist", "json"),
        ("directus_settings", "asset_whitelist_system", "json"),
    ],
)
def test_field_types_from_the_spec(collection, field, type_):
    assert rows_by_key()[(collection, field)]["type"] == type_


def test_email_validation_and_status_mappings():
    rows = rows_by_key()
    assert rows[("directus_users", "email")]["validation"] == "$email"
    users = rows[("directus_users", "status")]["options"]["status_mapping"]
    assert list(users) == ["draft", "invited", "active", "suspended", "deleted"]
    assert [key for key, status in users.items() if status.get("soft_delete")] == ["deleted"]
    webhooks = rows[("directus_webhooks", "status")]["options"]["status_mapping"]
    assert list(webhooks) == ["active", "inactive"]
    assert all(status["name"] for status in [*users.values(), *webhooks.values()])


def test_ids_follow_the_8_8_1_install_order():
    position = {(row["collection"], row["field"]): index for index, row in enumerate(SYSTEM_FIELDS, 1)}
    assert len(SYSTEM_FIELDS) == 170
    assert position[("directus_fields", "id")] == 1
    assert position[("directus_fields", "auth_token_ttl")] == 18
    assert position[("directus_activity", "id")] == 19
    assert position[("directus_settings", "project_name")] == 111
    assert position[("directus_users", "id")] == 135
    assert position[("directus_webhooks", "info")] == 170


def test_relations_reference_existing_collections_and_fields():
    tables = {model._meta.db_table for model in system_models()}
    rows = rows_by_key()
    expected_keys = model_field_names(Relation)
    stale = []
    for relation in SYSTEM_RELATIONS:
        assert set(relation) == expected_keys, relation
        many, one = relation["collection_many"], relation["collection_one"]
        if many in STALE_COLLECTIONS or one in STALE_COLLECTIONS:
            stale.append(relation)
            continue
        assert many in tables, relation
        assert one in tables, relation
        assert rows[(many, relation["field_many"])]["type"] not in ALIAS_TYPES, relation
        if relation["field_one"]:
            assert rows[(one, relation["field_one"])]["type"] == "o2m", relation
    assert len(SYSTEM_RELATIONS) == 11
    assert [(r["collection_many"], r["field_many"]) for r in stale] == [
        ("directus_collections_presets", "user"),
        ("directus_collections_presets", "group"),
        ("directus_permissions", "group"),
    ]


def test_every_o2m_row_has_a_relation():
    o2m = {(row["collection"], row["field"]) for row in SYSTEM_FIELDS if row["type"] == "o2m"}
    declared = {(r["collection_one"], r["field_one"]) for r in SYSTEM_RELATIONS if r["field_one"]}
    assert o2m == declared


def test_presets_are_the_four_global_defaults():
    expected_keys = model_field_names(CollectionPreset)
    assert [(p["collection"], p["view_type"]) for p in SYSTEM_PRESETS] == [
        ("directus_activity", "timeline"),
        ("directus_files", "cards"),
        ("directus_users", "cards"),
        ("directus_webhooks", "tabular"),
    ]
    for preset in SYSTEM_PRESETS:
        assert set(preset) == expected_keys, preset
        assert preset["user"] is None
        assert preset["role"] is None
        assert preset["title"] is None
        assert preset["translation"] is None or isinstance(preset["translation"], str)
        for key in ("filters", "view_query", "view_options"):
            assert isinstance(preset[key], dict | list | type(None)), (preset["collection"], key)
        assert preset["view_type"] in preset["view_options"]
