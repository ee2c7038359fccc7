"""The role matrix of the permission tests: the blog schema and a `notes` collection built once per
engine, a custom role with a member and a colleague, and helpers that set the role's rows and
write rows directly. Fixtures are in conftest.py."""

from dataclasses import dataclass

import pytest
from django.db import connections

from apps.permissions.models import Permission
from apps.projects.context import using_project
from apps.roles.models import Role
from apps.schema import introspect, services
from apps.schema.cache import project_schema
from apps.users.models import User
from tests.api.users.factories import client_with_token
from tests.blog import ID, admin_identity, build_blog_schema
from tests.conftest import remove_collections, rolled_back

MEMBER_TOKEN = "matrix-member-token"


@dataclass
class Matrix:
    project: object
    role: int
    member: int
    colleague: int  # same role as the member
    admin: int = 1

    def url(self, path: str) -> str:
        return f"/{self.project.key}/{path}"


@pytest.fixture(scope="module")
def matrix_schema(session_project, django_db_blocker):
    alias = session_project.alias
    with django_db_blocker.unblock(), using_project(session_project):
        before = set(introspect.table_names(alias))
        build_blog_schema()
        services.create_collection(
            {
                "collection": "notes",
                "fields": [
                    ID,
                    {"field": "text", "type": "string", "datatype": "VARCHAR", "length": 100},
                    {"field": "user", "type": "m2o", "datatype": "INT"},
                ],
            },
            admin_identity(),
        )
        services.create_relations(
            [{"collection_many": "notes", "field_many": "user", "collection_one": "directus_users"}], admin_identity()
        )
        role = Role.objects.create(name="Matrix")
        member = User.objects.create(email="member@example.com", role=role.pk, status="active", token=MEMBER_TOKEN)
        colleague = User.objects.create(email="colleague@example.com", role=role.pk, status="active")
    yield Matrix(session_project, role.pk, member.pk, colleague.pk)
    with django_db_blocker.unblock(), using_project(session_project):
        remove_collections(alias, set(introspect.table_names(alias)) - before)
        Permission.objects.filter(role=role.pk).delete()
        User.objects.filter(pk__in=[member.pk, colleague.pk]).delete()
        Role.objects.filter(pk=role.pk).delete()
        connections[alias].close_if_unusable_or_obsolete()


@pytest.fixture
def matrix(matrix_schema, django_db_blocker):
    project = matrix_schema.project
    with django_db_blocker.unblock():
        with using_project(project), rolled_back("default", project.alias):
            yield matrix_schema
        connections[project.alias].close_if_unusable_or_obsolete()


@pytest.fixture
def member():
    return client_with_token(MEMBER_TOKEN)


def allow(m: Matrix, *rules) -> None:
    """Replace the role's rows: each rule is (collection, status, {column: value})."""
    Permission.objects.filter(role=m.role).delete()
    for collection, status, values in rules:
        Permission.objects.create(role=m.role, collection=collection, status=status, **values)


def table(collection: str) -> list[dict]:
    return list(project_schema().model(collection).objects.order_by("pk").values())


def article(owner: int, title: str, status: str = "draft", **values) -> int:
    model = project_schema().model("articles")
    return model.objects.create(owner=owner, title=title, status=status, **values).pk


def articles(m: Matrix) -> dict[str, int]:
    """One draft article owned by the member, one by a colleague (same role), one by the admin."""
    return {
        "mine": article(m.member, "Mine"),
        "colleague": article(m.colleague, "Colleague's"),
        "admin": article(1, "Admin's"),
    }
