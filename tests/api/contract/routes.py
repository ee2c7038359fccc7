"""One description per collection route, and the answers the contract expects of it.

Every route answers as the item routes do (`ITEM_CONTRACT`: permissions.md, items.md) except
where its description says otherwise, with the reason next to each difference. A description
names:

* `collection`, `path` — the table, and where its rows are listed and created (a row lives at
  `<path>/<key>`; `write_path` when writes go elsewhere);
* `make_row(world, user)` — how a row owned by `user` is made, and `owner` — what makes a row
  someone's own (None: nobody's, so the world has no "owned" row of it);
* `hidden` — what the reader's read blacklist hides: never in its answers, nor in the revisions
  it reads;
* `create` (a payload, or a function of the world), `created` (the values that find the new row
  again) and `update` — valid payloads;
* `revisions` — where a row's revisions are listed (`{key}`: the row's key);
* `levels`, `support` — where a caller's permission rows on this route differ from its usual
  ones (callers.py), or reach other collections the route needs;
* `answers` — the differences from the item contract, keyed `(caller, operation)` or
  `(caller, operation, row)`, row being "owned" (the owner-only caller's) or "others".
"""

import base64
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from apps.activity.models import Activity
from apps.files.models import File
from apps.revisions.models import Revision
from apps.schema.cache import project_schema
from apps.settings.models import Setting
from apps.users.models import User

from .callers import CALLERS
from .world import World

OPERATIONS = ("list", "get", "revisions", "create", "update", "delete")
WRITES = ("create", "update", "delete")
ROWS = ("owned", "others")


@dataclass(frozen=True)
class Answer:
    status: int
    code: int | None = None  # the error code; None when the operation was done

    @property
    def ok(self) -> bool:
        return self.code is None

    def __repr__(self) -> str:
        return f"{self.status}" if self.ok else f"{self.status} code {self.code}"


OK = Answer(200)
NO_CONTENT = Answer(204)  # done, and nothing the caller may read to show


def refused(status: int, code: int) -> Answer:
    return Answer(status, code)


READ_DENIED = refused(403, 300)
NOT_FOUND = refused(404, 203)  # missing, or not readable: the two look alike
UNAUTHORIZED = refused(401, 3)
NOT_ALLOWED = refused(405, 6)

# What the item routes answer each caller, by operation; where the owner-only caller's answer
# depends on the row: (its own row, another's row).
ITEM_CONTRACT = {
    "admin": {"list": OK, "get": OK, "revisions": OK, "create": OK, "update": OK, "delete": NO_CONTENT},
    "reader": {
        "list": OK,
        "get": OK,
        "revisions": OK,
        "create": refused(403, 301),
        "update": refused(403, 302),
        "delete": refused(403, 303),
    },
    "owner": {
        "list": OK,  # its own rows only
        "get": (OK, NOT_FOUND),
        "revisions": (OK, NOT_FOUND),
        "create": OK,
        "update": (OK, refused(403, 302)),
        "delete": (NO_CONTENT, refused(403, 303)),
    },
    "none": {
        "list": READ_DENIED,
        "get": NOT_FOUND,  # a single read the caller may not make looks missing, for every role
        "revisions": READ_DENIED,  # it may not read revisions at all
        "create": refused(403, 301),
        "update": refused(403, 302),  # a refused write answers its own code, for every role
        "delete": refused(403, 303),
    },
    "public": {
        "list": UNAUTHORIZED,  # only reads tell the public role apart
        "get": NOT_FOUND,
        "revisions": UNAUTHORIZED,
        "create": refused(403, 301),
        "update": refused(403, 302),
        "delete": refused(403, 303),
    },
}


@dataclass(frozen=True)
class Guarded:
    """A write the route's own rules refuse, or partly ignore, whatever the permission rows
    allow (deviations 15 and 22): a create, or an update of the owner-only caller's row."""

    name: str
    operation: str  # "create" or "update"
    payload: dict | Callable[[World], dict]
    # By caller, where the answer differs from the route's answer to the same operation.
    answers: dict[str, Answer] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()  # columns the write leaves as they were


@dataclass(frozen=True)
class Route:
    name: str
    collection: str
    path: str
    make_row: Callable[[World, int], object]
    owner: str | None
    hidden: tuple[str, ...]
    create: dict | Callable[[World], dict]
    created: dict
    update: dict
    revisions: str | None = None
    operations: tuple[str, ...] = OPERATIONS
    write_path: str | None = None
    levels: dict[str, dict] = field(default_factory=dict)
    support: dict[str, tuple] = field(default_factory=dict)
    answers: dict[tuple, Answer] = field(default_factory=dict)
    # Revisions: of which collection's items the route's revisions are (its own), and which
    # fields of those items the reader's revisions leave out (`hidden`).
    recorded: str | None = None
    snapshot_hidden: tuple[str, ...] | None = None
    keeps_history: bool = True
    # Columns only admins and the row's own user read, on single reads (users.md); columns no
    # answer holds; columns no revision holds (deviation 15).
    private: frozenset[str] = frozenset()
    never: frozenset[str] = frozenset()
    secret: frozenset[str] = frozenset()
    # A row about an item only admins may read (deviation 19), for routes that record items.
    make_unreadable_row: Callable[[World], object] | None = None
    # A delete that keeps the row and sets this column (activity.md: comments).
    deleted_mark: str | None = None
    guarded: tuple[Guarded, ...] = ()

    @property
    def records(self) -> str:
        return self.recorded or self.collection

    def answer(self, caller: str, operation: str, row: str | None = None) -> Answer:
        for key in ((caller, operation, row), (caller, operation)):
            if key in self.answers:
                return self.answers[key]
        answer = ITEM_CONTRACT[caller][operation]
        return answer[ROWS.index(row or "owned")] if isinstance(answer, tuple) else answer

    def payload(self, world: World) -> dict:
        return self.create(world) if callable(self.create) else dict(self.create)

    def row_path(self, key) -> str:
        return f"{self.write_path or self.path}/{key}"


# -- making rows ------------------------------------------------------------------------------------

TEXT_FILE = base64.b64encode(b"A file written by the contract tests.\n").decode()


def article_of(world: World, user: int) -> int:
    """An article written as the admin (so it has revisions), then given to `user`."""
    pk = world.written("post", "items/articles", {"title": "An article", "body": "Its body"})["id"]
    project_schema().model("articles").objects.filter(pk=pk).update(owner=user)
    return pk


def revision_of(world: World, user: int) -> int:
    return Revision.objects.filter(collection="articles", item=str(article_of(world, user))).get().pk


def user_row(world: World, user: int) -> int:
    return user  # a user's own row is themself (the world made them through the API)


def role_of(world: World, user: int) -> int:
    role = User.objects.get(pk=user).role
    world.written("patch", f"roles/{role}", {"description": "What the role is for"})  # a revision
    return role


def preset_of(world: World, user: int) -> int:
    preset = {"collection": "articles", "title": f"Bookmark of {user}", "user": user, "search_query": "draft"}
    return world.written("post", "collection_presets", preset)["id"]


def file_of(world: World, user: int) -> int:
    pk = File.objects.create(
        filename_disk=f"contract-{user}.txt",
        filename_download=f"file-of-{user}.txt",
        type="text/plain",
        private_hash=f"contract{user:08d}",
        uploaded_by=user,
        uploaded_on=datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        filesize=38,
    ).pk
    world.written("patch", f"files/{pk}", {"description": "What the file holds"})  # a revision
    return pk


def comment_of(world: World, user: int) -> int:
    """A comment of `user` on the admin's article (everyone who reads articles reads it)."""
    return Activity.objects.create(
        action="comment",
        action_by=user,
        action_on=timezone.now(),
        ip="192.0.2.1",
        user_agent="contract tests",
        collection="articles",
        item=str(world.article),
        comment=f"A note of {user}",
    ).pk


def authors_activity(world: World) -> int:
    """The activity of the admin's write of an author (no caller but the admin reads authors)."""
    pk = world.written("post", "items/authors", {"name": "Ada"})["id"]
    return Activity.objects.filter(collection="authors", item=str(pk)).get().pk


def authors_revision(world: World) -> int:
    pk = world.written("post", "items/authors", {"name": "Grace"})["id"]
    return Revision.objects.filter(collection="authors", item=str(pk)).get().pk


def setting(world: World, user: int) -> int:
    return Setting.objects.create(key="contract_setting", value="a value").pk


# -- the routes -------------------------------------------------------------------------------------

# users.md and deviation 15: credentials, never kept in a revision (nor the password sent at all),
# and the columns only admins and the user themself read.
USER_SECRETS = frozenset({"password", "token", "2fa_secret", "password_reset_token"})
USER_PRIVATE = frozenset(
    {"token", "email_notifications", "last_access_on", "last_page", "2fa_secret", "password_reset_token"}
)

ROUTES = [
    Route(
        name="items",
        collection="articles",  # a user collection with an owner field (tests/blog.py)
        path="items/articles",
        make_row=article_of,
        owner="owner",
        hidden=("body",),
        create={"title": "Created article", "body": "Its body"},
        created={"title": "Created article"},
        update={"title": "Changed title"},
        revisions="items/articles/{key}/revisions",
    ),
    Route(
        name="users",
        collection="directus_users",
        path="users",
        make_row=user_row,
        owner="id",
        hidden=("last_name",),
        # A non-admin sets none of a new user's protected columns (deviation 15): it stays a draft.
        create={"email": "created@example.com", "first_name": "Created"},
        created={"email": "created@example.com"},
        update={"first_name": "Changed"},
        revisions="users/{key}/revisions",
        private=USER_PRIVATE,
        never=frozenset({"password"}),
        secret=USER_SECRETS,
        answers={
            # A new user is nobody's own row: the owner-only caller does not read it back.
            ("owner", "create"): NO_CONTENT,
            # A user's own row is theirs to update, not to delete (deletes need an owner field).
            ("owner", "delete", "owned"): refused(403, 303),
        },
        # Deviation 15: a non-admin never writes a user's protected columns, their own included.
        guarded=(
            Guarded("own-role", "update", {"role": 1}, answers={"owner": refused(403, 305)}),
            Guarded(
                "new-status", "create", {"email": "on@example.com", "status": "active"}, {"owner": refused(403, 305)}
            ),
        ),
    ),
    Route(
        name="roles",
        collection="directus_roles",
        path="roles",
        make_row=role_of,
        owner="id (the caller's role)",
        hidden=("description",),
        create={"name": "Created role"},
        created={"name": "Created role"},
        update={"description": "Changed"},
        revisions="items/directus_roles/{key}/revisions",
        answers={
            # `mine` reads the caller's own role, which a new role is not.
            ("owner", "create"): NO_CONTENT,
            # ... and updates and deletes no role: roles have no owner field.
            ("owner", "update", "owned"): refused(403, 302),
            ("owner", "delete", "owned"): refused(403, 303),
        },
    ),
    Route(
        name="presets",
        collection="directus_collection_presets",
        path="collection_presets",
        make_row=preset_of,
        owner="user",
        hidden=("search_query",),
        create={"collection": "articles", "title": "Created bookmark"},
        created={"title": "Created bookmark"},
        update={"title": "Changed bookmark"},
        revisions="items/directus_collection_presets/{key}/revisions",
        keeps_history=False,  # presets.md: no activity and no revisions, ever
        answers={
            # `user` makes a preset the caller's own for updates only (permissions.md § Delete).
            ("owner", "delete", "owned"): refused(403, 303),
        },
        # Deviation 22: a non-admin's presets are their own, never another user's or a role's.
        guarded=(
            Guarded(
                "for-another-user",
                "create",
                lambda world: {"collection": "articles", "title": "Given", "user": world.users["bystander"]},
                answers={"owner": refused(403, 305)},
            ),
            Guarded(
                "to-a-role",
                "update",
                lambda world: {"role": world.roles["owner"]},
                answers={"owner": refused(403, 305)},
            ),
        ),
    ),
    Route(
        name="files",
        collection="directus_files",
        path="files",
        make_row=file_of,
        owner="uploaded_by",
        hidden=("description",),
        create={"data": TEXT_FILE, "filename_download": "created.txt"},
        created={"filename_download": "created.txt"},
        update={"title": "Changed title"},
        revisions="files/{key}/revisions",
        # Deviation 22: what describes the stored content, and who uploaded it, the server sets.
        guarded=(
            Guarded(
                "server-set-columns",
                "update",
                {"title": "Renamed", "checksum": "forged", "filesize": 1, "uploaded_by": 1},
                ignored=("checksum", "filesize", "uploaded_by"),
            ),
        ),
    ),
    Route(
        name="activity",
        collection="directus_activity",
        path="activity",
        make_row=comment_of,
        owner="action_by",
        hidden=("ip", "user_agent"),
        # Activity is written by the server; what callers write are comments on items they
        # may read (activity.md).
        write_path="activity/comment",
        create=lambda world: {"collection": "articles", "item": world.article, "comment": "Created note"},
        created={"comment": "Created note"},
        update={"comment": "Changed note"},
        operations=("list", "get", *WRITES),
        make_unreadable_row=authors_activity,
        deleted_mark="comment_deleted_on",
        support={
            "reader": (("articles", None, {"read": "full", "comment": "full"}),),
            "owner": (("articles", None, {"read": "full", "comment": "full"}),),
        },
        answers={
            # Only its author (or an admin) edits or deletes a comment.
            ("reader", "update"): refused(403, 211),
            ("reader", "delete"): refused(403, 212),
            ("owner", "update", "others"): refused(403, 211),
            ("owner", "delete", "others"): refused(403, 212),
            # Commenting needs read access to the item (deviation 22): without it, it looks missing.
            **{("none", operation): NOT_FOUND for operation in WRITES},
            # Only users comment.
            **{("public", operation): UNAUTHORIZED for operation in WRITES},
        },
    ),
    Route(
        name="revisions",
        collection="directus_revisions",
        path="revisions",
        make_row=revision_of,
        make_unreadable_row=authors_revision,
        owner="the owner of the revision's item",
        hidden=("activity",),
        create={"collection": "articles", "item": "contract", "data": {}},
        created={"item": "contract"},
        update={"data": {}},
        operations=("list", "get", *WRITES),
        recorded="articles",
        snapshot_hidden=("body",),
        # A revision is readable where its item is (deviation 19): the owner-only caller reads
        # revisions `full` and its own articles only.
        levels={"owner": {"read": "full"}},
        support={
            "reader": (("articles", None, {"read": "full", "read_field_blacklist": ["body"]}),),
            "owner": (("articles", None, {"read": "mine"}),),
        },
        # Revisions are never written through the API (revisions.md).
        answers={(caller.name, operation): NOT_ALLOWED for caller in CALLERS for operation in WRITES},
    ),
    Route(
        name="settings",
        collection="directus_settings",
        path="settings",
        make_row=setting,
        owner=None,
        hidden=("value",),
        create={"key": "contract_created", "value": "new"},
        created={"key": "contract_created"},
        update={"value": "changed"},
        operations=("list", "get", *WRITES),
        answers={
            # Settings have no owner: `mine` reads none of them, a new one included.
            ("owner", "create"): NO_CONTENT,
            # The public role has no access to settings at all (settings.md).
            **{("public", operation): UNAUTHORIZED for operation in ("get", *WRITES)},
        },
    ),
]
