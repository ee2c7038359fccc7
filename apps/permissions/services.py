"""directus_permissions rows: the defaults of a new role, the rules every write of a row
follows (`PermissionWriteHooks`), and the caller's own rows (`/permissions/me`)."""

from apps.access.engine import COMMENT_LEVELS, LEVELS, key_of
from apps.core import errors
from apps.core.text import NUL
from apps.items.hooks import WriteHooks
from apps.roles.models import PUBLIC_ROLE_ID, Role

from .models import Permission

COLLECTION = "directus_permissions"
EXPLAIN_VALUES = ("none", "create", "update", "always")
LEVEL_COLUMNS = ("create", "read", "update", "delete")
BLACKLIST_COLUMNS = ("read_field_blacklist", "write_field_blacklist", "status_blacklist")

# permissions.md § Default rows: (collection, status, create, read, update, delete, comment).
DEFAULT_ROWS = (
    ("directus_activity", None, "full", "mine", "none", "none", "update"),
    ("directus_collection_presets", None, "full", "full", "mine", "mine", "none"),
    ("directus_collections", None, "none", "full", "none", "none", "none"),
    ("directus_fields", None, "none", "full", "none", "none", "none"),
    ("directus_files", None, "full", "full", "full", "full", "none"),
    ("directus_folders", None, "full", "full", "full", "full", "none"),
    ("directus_permissions", None, "none", "mine", "none", "none", "none"),
    ("directus_relations", None, "none", "full", "none", "none", "none"),
    ("directus_revisions", None, "full", "full", "none", "none", "none"),
    ("directus_roles", None, "none", "mine", "none", "none", "none"),
    ("directus_settings", None, "none", "full", "none", "none", "none"),
    ("directus_users", "active", "none", "full", "mine", "mine", "none"),
    ("directus_users", "deleted", "none", "none", "none", "none", "none"),
    ("directus_users", "draft", "none", "none", "none", "none", "none"),
    ("directus_users", "invited", "none", "none", "none", "none", "none"),
    ("directus_users", "suspended", "none", "none", "none", "none", "none"),
)


def create_default_permissions(role_id: int) -> list[Permission]:
    """The rows a new role starts with (in the caller's transaction)."""
    rows = [
        Permission(
            collection=collection,
            role=role_id,
            status=status,
            create=create,
            read=read,
            update=update,
            delete=delete,
            comment=comment,
            explain="none",
            read_field_blacklist=[],
            write_field_blacklist=[],
            status_blacklist=[],
        )
        for collection, status, create, read, update, delete, comment in DEFAULT_ROWS
    ]
    return Permission.objects.bulk_create(rows)


# -- Writes ------------------------------------------------------------------------------------


def check_values(payload: dict) -> None:
    """Levels, `comment` and `explain` take the values the access engine knows (422 code 4);
    `role` names an existing role."""
    for name in LEVEL_COLUMNS:
        value = payload.get(name)
        if value is not None and str(value).lower() not in LEVELS:
            raise errors.InvalidRequest(f"{name}: must be one of {', '.join(LEVELS)}")
    comment = payload.get("comment")
    if comment is not None and str(comment).lower() not in COMMENT_LEVELS:
        raise errors.InvalidRequest(f"comment: must be one of {', '.join(COMMENT_LEVELS)}")
    explain = payload.get("explain")
    if explain is not None and str(explain).lower() not in EXPLAIN_VALUES:
        raise errors.InvalidRequest(f"explain: must be one of {', '.join(EXPLAIN_VALUES)}")
    if "role" in payload:
        role = key_of(payload["role"])
        if not isinstance(role, int) or not Role.objects.filter(pk=role).exists():
            raise errors.InvalidRequest(f'role: role "{payload["role"]}" does not exist')
    if "collection" in payload and (not isinstance(payload["collection"], str) or not payload["collection"].strip()):
        raise errors.InvalidRequest("collection: This value should not be blank.")


def csv_blacklists(payload: dict) -> dict:
    """The blacklists as lists: the table keeps them as CSV, and a CSV string is taken too
    (permissions.md), as for a role's `ip_whitelist`."""
    values = dict(payload)
    for name in BLACKLIST_COLUMNS:
        if isinstance(values.get(name), str):
            values[name] = [entry.strip() for entry in values[name].split(",") if entry.strip()]
    return values


def _defaults(payload: dict) -> dict:
    values = dict(payload)
    for name in (*LEVEL_COLUMNS, "comment", "explain"):
        values.setdefault(name, "none")
    return values


class PermissionWriteHooks(WriteHooks):
    """Besides the rows' own rules: a role never changes its own permissions (only admins,
    whose rows are ignored anyway, write rows of their role)."""

    def before_create(self, writer, collection, payload):
        check_values(payload)
        self._not_own_role(writer, [payload.get("role")], errors.CreateDenied)
        return _defaults(csv_blacklists(payload))

    def before_update(self, writer, collection, pk, current, payload):
        check_values(payload)
        roles = [current.get("role"), *([payload["role"]] if "role" in payload else [])]
        self._not_own_role(writer, roles, errors.UpdateDenied)
        return csv_blacklists(payload)

    def before_delete(self, writer, collection, pk, current):
        self._not_own_role(writer, [current.get("role")], errors.DeleteDenied)

    def _not_own_role(self, writer, roles: list, error) -> None:
        caller = writer.guard.restricted_caller()
        if caller is None:
            return
        if caller.role_id is not None and caller.role_id in {key_of(role) for role in roles}:
            raise error(f'A role may not change its own permissions ("{COLLECTION}")')


# -- The caller's rows ---------------------------------------------------------------------------


def role_of(identity) -> int | None:
    """The role whose rows apply to the caller: the public role without a user."""
    if identity is None or identity.is_public:
        return PUBLIC_ROLE_ID
    return identity.role_id


def own_rows(identity, collection: str | None = None) -> list[Permission]:
    role = role_of(identity)
    if role is None:
        return []
    rows = Permission.objects.filter(role=role)
    if collection is not None:
        rows = rows.filter(collection=collection) if NUL not in collection else rows.none()
    return list(rows.order_by("id"))
