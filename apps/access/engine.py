"""The access engine: from (user, role, collection, action) to a raising check and a row filter.

    access = Access.for_identity(identity)             # one per request
    access.check_read(collection)                      # raises 300 (users) / 3 (public)
    restricted(queryset, access.read_filter(collection))  # the rows the caller may read
    access.readable_fields(collection)                 # None, or the names left after blacklists

The item engine asks it through `PermissionGuard` (guard.py), never directly.

Rules follow permissions.md: global rows (status NULL) unless status-scoped rows exist for the
collection; levels none < mine < role < full; `mine`/`role` through the collection's owner field
(or the special owners of some system collections); custom `$` rows are listed but never
enforced. The administrator role passes everything. Only reads tell the public role apart (`401`
code 3 for a collection it cannot read); a denied write answers its own code for every role."""

from dataclasses import dataclass, field

from django.db.models import CharField, Q
from django.db.models.functions import Cast

from apps.core import errors
from apps.core.local import memo
from apps.permissions.models import Permission
from apps.roles.models import ADMIN_ROLE_ID, PUBLIC_ROLE_ID
from apps.schema import user_columns
from apps.schema.description import CollectionInfo
from apps.schema.status import soft_deleted

from .interface import restricted

LEVELS = {"none": 0, "mine": 1, "role": 2, "full": 3}
COMMENT_LEVELS = {"none": 0, "create": 1, "update": 2, "full": 3}
ACTIONS = ("create", "read", "update", "delete")

# Private columns of directus_users (apps.schema.user_columns.PRIVATE): a non-admin reads them only
# on their own row and never filters, sorts or searches by them. The access of a single read of
# the caller's own row (`/users/me`) is made with `own_user_row`: that row is then readable
# whatever the rows say, with all its columns but the ones never sent.

# Rows that record the items of other collections (`collection`, `item`). A non-admin reads one
# only where they may read its item, which must still exist; activity rows of their own actions
# too (deviation 19).
REVISIONS = "directus_revisions"
ACTIVITY = "directus_activity"
# Columns holding other collections' values, whose readable fields differ from one row to the
# next: a non-admin may read them (filtered per row) but not filter or sort by them, which
# would match against the fields left out.
UNFILTERABLE = {REVISIONS: frozenset({"data", "delta"})}

PRESETS = "directus_collection_presets"

# The status a new item gets when the payload has none and the column has no default.
STATUS_DEFAULTS = {"directus_users": "draft"}

_VIEWER_KEY = "directus.viewer"


@dataclass(frozen=True)
class Viewer:
    """Who reads, as per-row read rules need it (apps.items.registry.register_item_rule)."""

    user_id: int
    is_admin: bool


def current_viewer() -> Viewer | None:
    """The caller of the current request, once its access was computed; None outside requests."""
    request_memo = memo()
    return None if request_memo is None else request_memo.get(_VIEWER_KEY)


def level(value: str | None) -> int:
    return LEVELS.get((value or "none").lower(), 0)


@dataclass
class Rule:
    """One permission row, decoded."""

    status: str | None
    levels: dict[str, int]
    comment: int
    explain: str
    read_blacklist: frozenset[str]
    write_blacklist: frozenset[str]

    @classmethod
    def from_row(cls, row: Permission) -> "Rule":
        return cls(
            status=row.status,
            levels={action: level(getattr(row, action)) for action in ACTIONS},
            comment=COMMENT_LEVELS.get((row.comment or "none").lower(), 0) if row.comment is not None else None,
            explain=(row.explain or "none").lower(),
            read_blacklist=frozenset(row.read_field_blacklist or ()),
            write_blacklist=frozenset(row.write_field_blacklist or ()),
        )


@dataclass
class CollectionRules:
    global_rule: Rule | None = None
    by_status: dict[str, Rule] = field(default_factory=dict)

    @property
    def status_scoped(self) -> bool:
        return bool(self.by_status)

    def rules(self) -> list[Rule]:
        return list(self.by_status.values()) if self.by_status else [r for r in [self.global_rule] if r]

    def for_status(self, status) -> Rule | None:
        if self.by_status:
            return self.by_status.get(None if status is None else str(status))
        return self.global_rule


class KeyText(Cast):
    """A primary key as text, to compare with a column of keys as text (`item` of revisions).
    On MariaDB the cast text takes the connection's collation, which may differ from the
    column's (an illegal mix of collations): it is given a binary one, so keys compare exactly."""

    def __init__(self, expression):
        super().__init__(expression, output_field=CharField())

    def as_mysql(self, compiler, connection, **extra_context):
        sql, params = super().as_mysql(compiler, connection, **extra_context)
        return f"CONVERT({sql} USING utf8mb4) COLLATE utf8mb4_bin", params


class Access:
    def __init__(
        self, *, user_id: int, role_id: int | None, is_admin: bool, rows: list[Permission], own_user_row: bool = False
    ):
        self.user_id = user_id
        self.role_id = role_id
        self.is_admin = is_admin
        self.is_public = user_id == 0
        # For reads and writes of the caller's own row only (see user_columns.PRIVATE).
        self.own_user_row = own_user_row
        self._role_users: list[int] | None = None
        self._by_collection: dict[str, CollectionRules] = {}
        for row in rows:
            if row.status and row.status.startswith("$"):
                continue  # custom rows are for the app; the API never enforces them
            rules = self._by_collection.setdefault(row.collection, CollectionRules())
            rule = Rule.from_row(row)
            if row.status is None:
                rules.global_rule = rules.global_rule or rule  # the first row wins
            else:
                rules.by_status.setdefault(row.status, rule)

    @classmethod
    def for_identity(cls, identity, *, own_user_row: bool = False) -> "Access":
        is_admin = bool(getattr(identity, "is_admin", False))
        role_id = PUBLIC_ROLE_ID if identity is None or identity.is_public else identity.role_id
        rows = [] if is_admin or role_id is None else role_rules(role_id)
        access = cls(
            user_id=0 if identity is None else identity.user_id,
            role_id=ADMIN_ROLE_ID if is_admin else role_id,
            is_admin=is_admin,
            rows=rows,
            own_user_row=own_user_row,
        )
        request_memo = memo()
        if request_memo is not None:
            request_memo[_VIEWER_KEY] = Viewer(access.user_id, access.is_admin)
        return access

    # Reading ------------------------------------------------------------------------------------

    def rules(self, collection: str) -> CollectionRules:
        return self._by_collection.get(collection, CollectionRules())

    def _reads_own_user_row(self, collection: CollectionInfo) -> bool:
        return self.own_user_row and not self.is_public and collection.name == "directus_users"

    def can_read(self, collection: CollectionInfo) -> bool:
        if self.is_admin or self._reads_own_user_row(collection):
            return True
        return any(rule.levels["read"] > 0 for rule in self.rules(collection.name).rules())

    def check_read(self, collection: CollectionInfo) -> None:
        if not self.can_read(collection):
            if self.is_public:
                raise errors.Unauthorized()
            raise errors.ReadDenied(f'Reading items from "{collection.name}" collection was denied')

    def read_filter(self, collection: CollectionInfo) -> Q | bool | None:
        """None: every row; False: no row; else the rows the caller may read."""
        if self.is_admin:
            return None
        condition = self._rows_filter(collection)
        if self._reads_own_user_row(collection) and condition is not None and collection.primary_key is not None:
            own = Q(**{collection.primary_key.attname: self.user_id})
            return own if condition is False else condition | own
        if condition is not False and collection.name in (REVISIONS, ACTIVITY):
            records = self._records_of_readable_items()
            if collection.name == ACTIVITY:
                records |= Q(action_by=self.user_id)
            return records if condition is None else condition & records
        return condition

    def _records_of_readable_items(self) -> Q:
        """Rows of revisions or activity about the items the caller may read now: one subquery
        per readable collection (`item` holds the key as text)."""
        from apps.schema.cache import project_schema

        schema = project_schema()
        condition = Q(pk__in=[])
        for info in schema.collections.values():
            if info.name in (REVISIONS, ACTIVITY) or info.primary_key is None or not self.can_read(info):
                continue
            model = schema.model(info.name)
            rows = self.read_filter(info)
            if model is None or rows is False:
                continue
            readable = restricted(model._default_manager.all(), rows)
            keys = readable.order_by().annotate(_item_key=KeyText(info.primary_key.attname))
            condition |= Q(collection=info.name, item__in=keys.values("_item_key"))
        return condition

    def _rows_filter(self, collection: CollectionInfo) -> Q | bool | None:
        rules = self.rules(collection.name)
        if not rules.status_scoped:
            rule = rules.global_rule
            return False if rule is None else self._owner_condition(collection, rule.levels["read"])
        status = collection.status_field
        if status is None:
            return False
        condition = Q(pk__in=[])
        for value, rule in rules.by_status.items():
            owned = self._owner_condition(collection, rule.levels["read"])
            if owned is False:
                continue
            part = Q(**{status.attname: value})
            condition |= part if owned is None else part & owned
        return condition

    def _reading_rules(self, collection: CollectionInfo) -> list[Rule]:
        return [rule for rule in self.rules(collection.name).rules() if rule.levels["read"] > 0]

    def readable_fields(self, collection: CollectionInfo) -> set[str] | None:
        """Names left after the read blacklist (of every readable status); None when all are."""
        if self.is_admin:
            return None
        rules = self._reading_rules(collection)
        # A field blacklisted for any readable status is hidden for all: never shown by mistake.
        blacklisted = set().union(*(rule.read_blacklist for rule in rules))
        if collection.name == "directus_users":
            blacklisted |= user_columns.NEVER_SENT if self.own_user_row else user_columns.PRIVATE
        if not blacklisted:
            return None
        return {name for name in collection.fields if name not in blacklisted}

    def described_fields(self, collection: CollectionInfo) -> set[str] | None:
        """Names whose definitions the caller sees (`/fields`): the collection's fields but those
        read-blacklisted for every status it may read; None when all. Definitions are no data, so
        a field readable in one status stays listed (the admin app needs it for that form)."""
        if self.is_admin:
            return None
        rules = self._reading_rules(collection)
        if not rules:
            return set()
        hidden = frozenset.intersection(*(rule.read_blacklist for rule in rules))
        return {name for name in collection.fields if name not in hidden} if hidden else None

    def filterable_fields(self, collection: CollectionInfo) -> set[str] | None:
        """Names the caller may filter and sort by: the readable ones, less UNFILTERABLE."""
        readable = self.readable_fields(collection)
        unfilterable = UNFILTERABLE.get(collection.name)
        if self.is_admin or not unfilterable:
            return readable
        return (set(collection.fields) if readable is None else readable) - unfilterable

    def _owner_condition(self, collection: CollectionInfo, granted: int) -> Q | bool | None:
        if granted <= 0:
            return False
        if granted >= LEVELS["full"]:
            return None
        by_role = {"directus_roles": "id", "directus_permissions": "role"}.get(collection.name)
        if by_role is not None:  # `mine` on these means "of my role"
            info = collection.fields.get(by_role)
            return False if info is None or self.role_id is None else Q(**{info.attname: self.role_id})
        owner = self._owner_attname(collection)
        if owner is None:
            return False
        if granted == LEVELS["mine"] or self.role_id is None:
            return Q(**{owner: self.user_id})
        return Q(**{f"{owner}__in": self._role_user_ids()})

    def _owner_attname(self, collection: CollectionInfo) -> str | None:
        special = {
            "directus_users": "id",
            "directus_collection_presets": "user",
            "directus_activity": "action_by",
        }
        name = special.get(collection.name)
        if name is None:
            owner = collection.owner_field
            return owner.attname if owner else None
        info = collection.fields.get(name)
        return info.attname if info else None

    def _role_user_ids(self) -> list[int]:
        """The users of the caller's role, read once per request's access."""
        from apps.users.models import User

        if self._role_users is None:
            self._role_users = list(User.objects.filter(role=self.role_id).values_list("id", flat=True))
        return self._role_users

    # Writing ------------------------------------------------------------------------------------

    def check_may_create(self, collection: CollectionInfo) -> None:
        """Before a bulk write: the caller may create items of some status at least (a denied
        write answers 301 for every role, the public one included, as item creates do)."""
        if self.is_admin or any(rule.levels["create"] > 0 for rule in self.rules(collection.name).rules()):
            return
        raise errors.CreateDenied(f'Creating items in "{collection.name}" collection was denied')

    def check_create(self, collection: CollectionInfo, payload: dict, *, comment: str | None = None) -> None:
        if self.is_admin:
            return
        status = collection.status_field
        value = payload.get(status.name) if status is not None else None
        if status is not None and value is None and status.column is not None:
            value = status.column.default
        if status is not None and value is None:
            value = STATUS_DEFAULTS.get(collection.name)
        rule = self.rules(collection.name).for_status(value)
        if rule is None or rule.levels["create"] <= 0:
            raise errors.CreateDenied(f'Creating items in "{collection.name}" collection was denied')
        self._check_write_fields(collection, rule, payload)
        self._check_explain(collection, rule, "create", comment)
        if collection.name == "directus_users":
            # A new row is nobody's own: a non-admin sets none of its protected values.
            self._check_user_columns(payload, own_row=False)
        elif collection.name == PRESETS:
            self._check_own_preset(payload)

    def check_update(
        self, collection: CollectionInfo, current: dict, payload: dict, *, soft_delete: bool, comment: str | None = None
    ) -> None:
        if self.is_admin:
            return
        status = collection.status_field
        current_status = current.get(status.name) if status is not None else None
        rule = self.rules(collection.name).for_status(current_status)
        denied = errors.UpdateDenied(f'Updating items in "{collection.name}" collection was denied')
        if status is not None and current_status in soft_deleted(collection):
            raise denied  # soft-deleted items are out of reach for non-admins
        if soft_delete:
            # Moving an item to a soft-delete status is checked as deleting it.
            self.check_delete(collection, current, comment=comment)
        else:
            if rule is None or not self._owner_allows(collection, rule.levels["update"], current, action="update"):
                raise denied
            self._check_explain(collection, rule, "update", comment)
        self._check_write_fields(collection, rule, payload)
        if collection.name == "directus_users":
            self._check_user_columns(payload, own_row=current.get("id") == self.user_id)
        elif collection.name == PRESETS:
            if current.get("user") != self.user_id:
                raise denied  # whatever level the rows give: another user's, a role's or a global one
            self._check_own_preset(payload)

    def _check_user_columns(self, payload: dict, *, own_row: bool) -> None:
        """Deviation 15: whatever the rows say, a non-admin never writes these of any user."""
        forbidden = sorted(user_columns.PROTECTED & set(payload))
        if "password" in payload and not own_row:
            forbidden.append("password")
        if forbidden:
            raise errors.WriteFieldDenied(f"Writing {', '.join(forbidden)} of users is denied")

    def _check_own_preset(self, payload: dict) -> None:
        """Deviation 22: whatever the rows say, a non-admin's presets are their own: `user` is
        themself, `role` stays empty (no preset of another user, of a role, or a global one).
        A value of a field the caller may not write: `305`, as for users' protected columns."""
        if "user" in payload and key_of(payload["user"]) != self.user_id:
            raise errors.WriteFieldDenied("A preset's user can only be the user who writes it")
        if payload.get("role") not in (None, ""):
            raise errors.WriteFieldDenied("Presets of a role are written by admins only")

    def check_delete(self, collection: CollectionInfo, current: dict, *, comment: str | None = None) -> None:
        if self.is_admin:
            return
        if collection.name == PRESETS and current.get("role") is not None:
            # presets.md: before the levels, whatever they say.
            raise errors.Forbidden("Cannot delete collection presets that belongs to a role")
        status = collection.status_field
        rule = self.rules(collection.name).for_status(current.get(status.name) if status is not None else None)
        if rule is None or not self._owner_allows(collection, rule.levels["delete"], current, action="delete"):
            raise errors.DeleteDenied(f'Deleting items from "{collection.name}" collection was denied')
        self._check_explain(collection, rule, "delete", comment)

    def check_comment(self, collection: CollectionInfo, item: dict, action: str) -> None:
        """Comments on an item (permissions.md § Explain / comment): creating needs `create`,
        editing or deleting `update`, or `full` when the item belongs to someone else. A
        collection without a row, or a row whose `comment` is NULL, allows everything."""
        if self.is_admin:
            return
        status = collection.status_field
        rule = self.rules(collection.name).for_status(item.get(status.name) if status is not None else None)
        if rule is None or rule.comment is None:
            return
        needed = COMMENT_LEVELS["create"] if action == "create" else COMMENT_LEVELS["update"]
        owner = collection.owner_field
        if action != "create" and owner is not None and item.get(owner.name) not in (None, self.user_id):
            needed = COMMENT_LEVELS["full"]
        if rule.comment < needed:
            name = collection.name
            error = {
                "create": errors.CommentCreateDenied(f'Adding a comment to "{name}" collection was denied'),
                "update": errors.CommentUpdateDenied(f'Updating a comment to "{name}" collection was denied'),
                "delete": errors.CommentDeleteDenied(f'Deleting a comment from "{name}" collection was denied'),
            }[action]
            raise error

    def _owner_allows(self, collection: CollectionInfo, granted: int, current: dict, *, action: str) -> bool:
        if granted <= 0:
            return False
        if granted >= LEVELS["full"]:
            return True
        # Updates treat a user's own row (and own presets) as owned; deletes need an owner field.
        special = {"directus_users": "id", "directus_collection_presets": "user"} if action == "update" else {}
        name = special.get(collection.name) or (collection.owner_field.name if collection.owner_field else None)
        if name is None:
            return False
        owner = current.get(name)
        if owner == self.user_id:
            return True
        return granted >= LEVELS["role"] and owner in self._role_user_ids()

    def _check_write_fields(self, collection: CollectionInfo, rule: Rule | None, payload: dict) -> None:
        if rule is None:
            return
        denied = sorted(set(payload) & rule.write_blacklist)
        if denied:
            raise errors.WriteFieldDenied(f'Writing "{", ".join(denied)}" of "{collection.name}" was denied')

    def _check_explain(self, collection: CollectionInfo, rule: Rule | None, action: str, comment) -> None:
        if rule is None or rule.explain == "none":
            return
        if (rule.explain == "always" or rule.explain == action) and not comment:
            raise errors.Forbidden(f"Activity comment required for collection: {collection.name}")


def key_of(value):
    """A relational value as the key it names (nested objects by their `id`; a new one has none)."""
    if isinstance(value, dict):
        value = value.get("id")
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def role_rules(role_id: int) -> list[Permission]:
    """A role's permission rows, read once per schema version (permission writes move it)."""
    from apps.schema.cache import project_schema

    def load():
        return list(Permission.objects.filter(role=role_id).order_by("id"))

    return project_schema().config(("permissions", role_id), load)
