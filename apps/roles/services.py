"""The rules of directus_roles (roles.md) on every write of a role, whichever route it comes from."""

import ipaddress

from apps.core import errors
from apps.items.hooks import WriteHooks
from apps.permissions.services import create_default_permissions

from .models import ADMIN_ROLE_ID, PUBLIC_ROLE_ID, Role

COLLECTION = "directus_roles"
FIXED_ROLES = frozenset({ADMIN_ROLE_ID, PUBLIC_ROLE_ID})


def ip_whitelist(value) -> list[str]:
    """An array or a CSV string of IP addresses → the checked list (422 code 4 otherwise)."""
    if value is None:
        return []
    if isinstance(value, str):
        entries = value.split(",")
    elif isinstance(value, list):
        entries = value
    else:
        raise errors.InvalidRequest("ip_whitelist: must be an array or a comma-separated list")
    cleaned = []
    for entry in entries:
        if not isinstance(entry, str):
            raise errors.InvalidRequest("ip_whitelist: must be a list of IP addresses")
        entry = entry.strip()
        if not entry:
            continue
        try:
            ipaddress.ip_address(entry)
        except ValueError:
            raise errors.InvalidRequest(f'ip_whitelist: "{entry}" is not an IP address') from None
        cleaned.append(entry)
    return cleaned


def check_name(value, *, pk=None) -> None:
    if not isinstance(value, str) or not value.strip():
        raise errors.InvalidRequest("name: This value should not be blank.")
    taken = Role.objects.filter(name__iexact=value.strip())
    if pk is not None:
        taken = taken.exclude(pk=pk)
    if taken.exists():
        raise errors.DuplicateKey(f'Duplicate key "{value}" for collection "{COLLECTION}"')


class RoleWriteHooks(WriteHooks):
    def before_create(self, writer, collection, payload):
        payload = dict(payload)
        check_name(payload.get("name"))
        if payload.get("external_id") in (None, ""):
            payload["external_id"] = Role._meta.get_field("external_id").default()
        if "ip_whitelist" in payload:
            payload["ip_whitelist"] = ip_whitelist(payload["ip_whitelist"])
        payload.setdefault("enforce_2fa", False)
        return payload

    def after_create(self, writer, collection, pk, payload):
        create_default_permissions(pk)

    def before_update(self, writer, collection, pk, current, payload):
        payload = dict(payload)
        if "name" in payload:
            check_name(payload["name"], pk=pk)
        if "ip_whitelist" in payload:
            payload["ip_whitelist"] = ip_whitelist(payload["ip_whitelist"])
        return payload

    def before_delete(self, writer, collection, pk, current):
        if pk in FIXED_ROLES or str(pk) in {str(role) for role in FIXED_ROLES}:
            raise errors.Unauthorized(f"You are not allowed to delete group [{pk}]")
