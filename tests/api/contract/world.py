"""The project the contract runs against, built once per engine: the blog schema (tests/blog.py),
a role and a user with a static token for each caller of the matrix, a bystander (a user of a
role nobody in the matrix has) and an article of the admin's to comment on; then, through each
route's `make_row`, one row owned by the owner-only caller ("owned") and one owned by the
bystander ("others"); routes that record other collections' items also get a row about an item
only admins may read.

The world is committed; each test runs inside transactions that are rolled back, and
`remove_world` deletes every row the build added."""

from dataclasses import dataclass, field

from django.db import connections
from rest_framework.test import APIClient

from apps.activity.models import Activity
from apps.files.models import File
from apps.permissions.models import Permission
from apps.presets.models import CollectionPreset
from apps.revisions.models import Revision
from apps.roles.models import Role
from apps.schema import introspect
from apps.settings.models import Setting
from apps.users.models import User
from tests.api.users.factories import client_with_token
from tests.blog import build_blog_schema
from tests.conftest import ADMIN_TOKEN, remove_collections

# The tables the build adds rows to; `remove_world` deletes every row above the ids found before.
SYSTEM_MODELS = (User, Role, Permission, CollectionPreset, File, Activity, Revision, Setting)


@dataclass
class World:
    project: object
    admin: APIClient = field(default_factory=lambda: client_with_token(ADMIN_TOKEN))
    roles: dict[str, int] = field(default_factory=dict)  # caller -> role id
    users: dict[str, int] = field(default_factory=dict)  # caller (and "bystander") -> user id
    tokens: dict[str, str] = field(default_factory=dict)  # caller -> static token
    article: int | None = None  # the admin's article, which callers comment on
    rows: dict[str, dict[str, object]] = field(default_factory=dict)  # route -> {"owned"|"others": key}
    unreadable: dict[str, object] = field(default_factory=dict)  # route -> a row only admins read
    before: dict[type, int] = field(default_factory=dict)  # model -> highest id before the build
    tables: set[str] = field(default_factory=set)  # tables before the build

    def url(self, path: str) -> str:
        return f"/{self.project.key}/{path}"

    def written(self, method: str, path: str, body: dict) -> dict:
        """Write through the API as the admin (activity and revisions follow); the data."""
        response = getattr(self.admin, method)(self.url(path), body, format="json")
        assert response.status_code == 200, response.content
        return response.json()["data"]


def build_world(project, routes) -> World:
    world = World(project)
    world.tables = set(introspect.table_names(project.alias))
    world.before = {model: _highest_id(model) for model in SYSTEM_MODELS}
    try:
        _build(world, routes)
    except BaseException:
        remove_world(world)
        raise
    return world


def _build(world: World, routes) -> None:
    build_blog_schema()
    for name, role_name in (("reader", "Readers"), ("owner", "Owners"), ("none", "Nobodies")):
        world.roles[name] = Role.objects.create(name=role_name).pk
    bystanders = Role.objects.create(name="Bystanders").pk
    for name in ("reader", "owner", "none", "bystander"):
        user = {
            "email": f"{name}@example.com",
            "status": "active",
            "role": world.roles.get(name, bystanders),
            "first_name": name.title(),
            "last_name": "Surname",
        }
        if name != "bystander":
            world.tokens[name] = user["token"] = f"contract-{name}-token"
        world.users[name] = world.written("post", "users", user)["id"]
    world.article = world.written("post", "items/articles", {"title": "The admin's article", "body": "Its body"})["id"]
    for route in routes:
        owners = {"owned": world.users["owner"], "others": world.users["bystander"]}
        if route.owner is None:
            del owners["owned"]  # nobody owns a row of this route
        world.rows[route.name] = {kind: route.make_row(world, user) for kind, user in owners.items()}
        if route.make_unreadable_row is not None:
            world.unreadable[route.name] = route.make_unreadable_row(world)


def remove_world(world: World) -> None:
    alias = world.project.alias
    remove_collections(alias, set(introspect.table_names(alias)) - world.tables)
    for model, highest in world.before.items():
        model.objects.filter(pk__gt=highest).delete()
    connections[alias].close_if_unusable_or_obsolete()


def _highest_id(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
