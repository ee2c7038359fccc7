"""SCIM resources over directus_users and directus_roles (scim.md), as django-scim2 adapters.

The adapters extend django-scim2's `SCIMMixin`: its PatchOp machinery (`handle_operations`, path
parsing with scim2-filter-parser) drives our `handle_add/replace/remove`, which — like `from_dict`
for POST/PUT bodies — only collect the column changes. Writing them is the view's business,
through the item writer (validation, the users'/roles' rules, permissions, activity).

Naming follows Directus 8 on purpose: the SCIM `id` is the row's `external_id`, and the SCIM
`externalId` is the numeric row id.

A resource shows what the caller may read of its row: `readable(column)` answers for each column
(the read blacklist of the caller's role, the users' private columns), and every attribute backed
by a column it hides is left out — `meta.location` with the `id`, `meta.version` with any of the
columns it hashes."""

import hashlib
from collections.abc import Callable
from urllib.parse import quote

from django_scim import exceptions as scim_errors
from django_scim.adapters import SCIMMixin

from apps.core import errors
from apps.users.models import User, UserStatus

from .filters import GROUP_SCHEMA, USER_SCHEMA

# Attributes of the core schemas (RFC 7643 § 4) that these resources do not store: accepted in
# bodies and PatchOps and ignored. A PatchOp path outside both lists is an invalid path.
USER_IGNORED = frozenset(
    {
        "displayname",
        "nickname",
        "profileurl",
        "title",
        "usertype",
        "preferredlanguage",
        "password",
        "phonenumbers",
        "ims",
        "photos",
        "addresses",
        "groups",
        "entitlements",
        "roles",
        "x509certificates",
        "schemas",
        "meta",
        "id",
        "externalid",
    }
)
GROUP_IGNORED = frozenset({"schemas", "meta", "id", "externalid"})
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def everything(column: str) -> bool:
    return True


def full_name(user: User, readable: Callable[[str], bool] = everything) -> str:
    names = (getattr(user, column) or "" for column in ("first_name", "last_name") if readable(column))
    return " ".join(name for name in names if name)


def _bad_value(message: str) -> scim_errors.BadRequestError:
    return scim_errors.BadRequestError(message, scim_type="invalidValue")


class DirectusSCIMAdapter(SCIMMixin):
    """Shared parts: `base_url` is `<public url>/<project>/scim/v2`; `changes` the columns to write."""

    endpoint = ""
    resource_type = ""
    ignored: frozenset = frozenset()
    schema = ""
    # The columns `version()` hashes: a hash of a hidden value would confirm a guess of it.
    version_columns: tuple[str, ...] = ()

    def __init__(self, obj, request=None, *, base_url: str = "", readable: Callable[[str], bool] = everything):
        super().__init__(obj, request=request)
        self.base_url = base_url.rstrip("/")
        self.readable = readable
        self.changes: dict = {}

    @property
    def id(self):
        return self.obj.external_id

    @property
    def path(self):
        return f"/{self.endpoint}/{quote(str(self.id), safe='')}"

    @property
    def location(self) -> str | None:
        """None when the caller may not read the SCIM id."""
        return f"{self.base_url}{self.path}" if self.readable("external_id") else None

    def meta(self) -> dict:
        meta = {"resourceType": self.resource_type}
        if self.location is not None:
            meta["location"] = self.location
        if all(map(self.readable, self.version_columns)):
            meta["version"] = self.version()
        return meta

    def common_attributes(self) -> dict:
        """`schemas`, `id`, `externalId` and `meta`."""
        resource = {"schemas": [self.schema]}
        if self.readable("external_id"):
            resource["id"] = self.obj.external_id
        if self.readable("id"):
            resource["externalId"] = self.obj.pk
        resource["meta"] = self.meta()
        return resource

    def version(self) -> str:
        raise NotImplementedError

    # PatchOp --------------------------------------------------------------------------------------

    def apply_operations(self, operations) -> None:
        """RFC 7644 § 3.5.2 operations → `changes` (400 with a scimType for malformed ones)."""
        if not isinstance(operations, list) or not operations:
            raise scim_errors.BadRequestError("PATCH needs a non-empty Operations array", scim_type="invalidSyntax")
        for operation in operations:
            if not isinstance(operation, dict) or not isinstance(operation.get("op"), str):
                raise scim_errors.BadRequestError("Each operation needs an op", scim_type="invalidSyntax")
            if operation.get("path") is not None and not isinstance(operation["path"], str):
                raise scim_errors.BadRequestError("path must be a string", scim_type="invalidPath")
            if operation["op"].lower() == "remove" and not operation.get("path"):
                raise scim_errors.BadRequestError('"path" must be given for "remove"', scim_type="noTarget")
        try:
            self.handle_operations(operations)
        except scim_errors.SCIMException:
            raise
        except errors.DirectusError:
            raise
        except ValueError as exc:
            raise _bad_value(str(exc)) from None
        except Exception:  # scim2-filter-parser's errors for paths that do not parse
            raise scim_errors.BadRequestError("Invalid path", scim_type="invalidPath") from None

    def _default_validate_op(self, path, value, operation):
        """Values are checked where they are mapped (`set_path`), with scimType invalidValue."""

    def handle_add(self, path, value, operation):
        self.set_path(path, value)

    def handle_replace(self, path, value, operation):
        self.set_path(path, value)

    def handle_remove(self, path, value, operation):
        self.remove_path(path)

    def _names(self, path) -> tuple[str, str | None, str | None, bool]:
        """(attribute, sub-attribute, schema URI, is a value path like emails[...]) in lower case."""
        parts = list(path)
        first = parts[-1] if path.is_complex else path.first_path
        name = (first.attr_name or "").lower()
        sub = (first.sub_attr or "").lower() or None
        uri = (first.uri or "").lower() or None
        return name, sub, uri, path.is_complex

    def _check_uri(self, uri: str | None, name: str) -> bool:
        """True for the resource's own schema; False for an extension we ignore; else 400."""
        if uri is None or uri == self.schema.lower():
            return True
        if uri == ENTERPRISE_USER and self.resource_type == "User":
            return False
        raise scim_errors.BadRequestError(f'Unknown attribute "{uri}:{name}"', scim_type="invalidPath")

    def set_path(self, path, value) -> None:
        raise NotImplementedError

    def remove_path(self, path) -> None:
        raise NotImplementedError


class UserAdapter(DirectusSCIMAdapter):
    endpoint = "Users"
    resource_type = "User"
    schema = USER_SCHEMA
    ignored = USER_IGNORED
    version_columns = ("last_name", "first_name", "email")

    def version(self) -> str:
        user = self.obj
        return f'W/"{md5((user.last_name or "") + (user.first_name or "") + (user.email or ""))}"'

    def to_dict(self) -> dict:
        user, readable = self.obj, self.readable
        resource = self.common_attributes()
        name = {
            attribute: getattr(user, column)
            for attribute, column in (("familyName", "last_name"), ("givenName", "first_name"))
            if readable(column)
        }
        if name:
            resource["name"] = name
        if readable("email"):
            resource["userName"] = user.email
            resource["emails"] = [{"value": user.email, "type": "work", "primary": True}]
        for column in ("locale", "timezone"):
            if readable(column):
                resource[column] = getattr(user, column)
        if readable("status"):
            resource["active"] = user.status == UserStatus.ACTIVE
        return resource

    # Bodies of POST / PUT / plain PATCH (scim.md § Input mapping) ------------------------------------

    def from_dict(self, d: dict, *, creating: bool = False) -> None:
        self.validate_dict(d)  # django-scim2's type checks (active must be a boolean)
        if "userName" in d:
            self.changes["email"] = _string(d["userName"], "userName")
        if creating and d.get("externalId") not in (None, ""):
            self.changes["external_id"] = _string(d["externalId"], "externalId")
        name = d.get("name")
        if name is not None:
            if not isinstance(name, dict):
                raise _bad_value('"name" must be an object')
            self._set_name(name)
        if "emails" in d:
            self.changes["email"] = _email_of(d["emails"])
        for key in ("locale", "timezone"):
            if key in d:
                self.changes[key] = _string(d[key], key, nullable=True)
        if "active" in d:
            self.changes["status"] = UserStatus.ACTIVE if d["active"] else UserStatus.DRAFT

    def _set_name(self, name: dict) -> None:
        if "givenName" in name:
            self.changes["first_name"] = _string(name["givenName"], "name.givenName", nullable=True)
        if "familyName" in name:
            self.changes["last_name"] = _string(name["familyName"], "name.familyName", nullable=True)

    # PatchOp ----------------------------------------------------------------------------------------

    def set_path(self, path, value) -> None:
        if path is None:  # no path: the value is an object of attributes
            self.from_dict(value if isinstance(value, dict) else {})
            return
        name, sub, uri, complex_path = self._names(path)
        if not self._check_uri(uri, name):
            return
        if name == "username" and not complex_path:
            self.changes["email"] = _string(value, "userName")
        elif name == "name":
            if sub is None:
                if not isinstance(value, dict):
                    raise _bad_value('"name" must be an object')
                self._set_name(value)
            elif sub in ("givenname", "familyname"):
                self._set_name({"givenName" if sub == "givenname" else "familyName": value})
        elif name == "emails":
            if complex_path or sub == "value":
                self.changes["email"] = _email_of([value] if isinstance(value, dict) else [{"value": value}])
            else:
                self.changes["email"] = _email_of(value if isinstance(value, list) else [value])
        elif name in ("locale", "timezone") and not complex_path:
            self.changes[name] = _string(value, name, nullable=True)
        elif name == "active" and not complex_path:
            if isinstance(value, str) and value.lower() in ("true", "false"):
                value = value.lower() == "true"  # Azure AD sends "True"/"False"
            if not isinstance(value, bool):
                raise _bad_value('"active" should be of type "bool"')
            self.changes["status"] = UserStatus.ACTIVE if value else UserStatus.DRAFT
        elif name not in self.ignored:
            raise scim_errors.BadRequestError(f'Unknown attribute "{name}"', scim_type="invalidPath")

    def remove_path(self, path) -> None:
        name, sub, uri, _complex = self._names(path)
        if not self._check_uri(uri, name):
            return
        if name == "name":
            if sub in (None, "givenname"):
                self.changes["first_name"] = None
            if sub in (None, "familyname"):
                self.changes["last_name"] = None
        elif name == "locale":
            self.changes["locale"] = None
        elif name == "timezone":
            self.changes["timezone"] = User._meta.get_field("timezone").default
        elif name == "active":
            self.changes["status"] = UserStatus.DRAFT
        elif name in ("username", "emails"):
            raise scim_errors.BadRequestError("userName is required and cannot be removed", scim_type="mutability")
        elif name not in self.ignored:
            raise scim_errors.BadRequestError(f'Unknown attribute "{name}"', scim_type="invalidPath")


class GroupAdapter(DirectusSCIMAdapter):
    endpoint = "Groups"
    resource_type = "Group"
    schema = GROUP_SCHEMA
    ignored = GROUP_IGNORED
    version_columns = ("ip_whitelist", "name")

    def __init__(
        self,
        obj,
        request=None,
        *,
        base_url: str = "",
        readable: Callable[[str], bool] = everything,
        members: list[User] | None = None,
        member_readable: Callable[[str], bool] = everything,
    ):
        """`members`: the users having the role, as far as the caller may read them;
        `member_readable`: whether the caller may read a column of users."""
        super().__init__(obj, request, base_url=base_url, readable=readable)
        self.members = members or []
        self.member_readable = member_readable

    def version(self) -> str:
        whitelist = self.obj.ip_whitelist
        if isinstance(whitelist, list | tuple):
            whitelist = ",".join(whitelist)
        return f'W/"{md5((whitelist or "") + (self.obj.name or ""))}"'

    def to_dict(self) -> dict:
        resource = self.common_attributes()
        if self.readable("name"):
            resource["displayName"] = self.obj.name
        resource["members"] = [self.member(user) for user in self.members]
        return resource

    def member(self, user: User) -> dict:
        readable = self.member_readable
        entry = {}
        if readable("email"):
            entry["value"] = user.email
        if readable("external_id"):
            entry["$ref"] = f"{self.base_url}/Users/{quote(str(user.external_id), safe='')}"
        if readable("first_name") or readable("last_name"):
            entry["display"] = full_name(user, readable)
        return entry

    def from_dict(self, d: dict, *, creating: bool = False) -> None:
        if "displayName" in d:
            self.changes["name"] = _string(d["displayName"], "displayName")
        if creating and d.get("id") not in (None, ""):
            self.changes["external_id"] = _string(d["id"], "id")
        # `members` is read-only (derived from the users having the role): ignored in bodies.

    def set_path(self, path, value) -> None:
        if path is None:
            if isinstance(value, dict) and "members" in value:
                raise _read_only_members()
            self.from_dict(value if isinstance(value, dict) else {})
            return
        name, _sub, uri, complex_path = self._names(path)
        self._check_uri(uri, name)
        if name == "displayname" and not complex_path:
            self.changes["name"] = _string(value, "displayName")
        elif name == "members":
            raise _read_only_members()
        elif name not in self.ignored:
            raise scim_errors.BadRequestError(f'Unknown attribute "{name}"', scim_type="invalidPath")

    def remove_path(self, path) -> None:
        name, _sub, uri, _complex = self._names(path)
        self._check_uri(uri, name)
        if name == "members":
            raise _read_only_members()
        if name == "displayname":
            raise scim_errors.BadRequestError("displayName is required and cannot be removed", scim_type="mutability")
        if name not in self.ignored:
            raise scim_errors.BadRequestError(f'Unknown attribute "{name}"', scim_type="invalidPath")


def _read_only_members() -> scim_errors.BadRequestError:
    return scim_errors.BadRequestError(
        "members is read-only: a group's members are the users that have its role", scim_type="mutability"
    )


def _string(value, name: str, *, nullable: bool = False):
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _bad_value(f'"{name}" should be of type "str"')
    return str(value)


def _email_of(emails) -> str:
    """The `primary: true` entry of `emails`, else the last one (scim.md)."""
    if not isinstance(emails, list) or not emails:
        raise _bad_value('"emails" must be a non-empty array')
    for entry in emails:
        if not isinstance(entry, dict) or "value" not in entry:
            raise _bad_value('"emails" entries need a "value"')
    primary = next((entry for entry in emails if entry.get("primary") in (True, "true", "True")), None)
    return _string((primary or emails[-1])["value"], "emails.value")
