"""The chosen Django release runs the libraries that later features are built on."""

import django
import graphene
from graphene_django import DjangoObjectType
from graphene_django.registry import Registry

from apps.roles.models import Role


def test_django_release():
    assert django.VERSION[:2] == (5, 2)


def test_graphene_django_builds_and_runs_a_schema_from_a_system_model():
    class RoleType(DjangoObjectType):
        class Meta:
            model = Role
            fields = ("id", "name", "enforce_2fa")
            registry = Registry()

    class Query(graphene.ObjectType):
        role = graphene.Field(RoleType)

        def resolve_role(root, info):
            return Role(id=3, name="Editors", enforce_2fa=True)

    result = graphene.Schema(query=Query).execute("{ role { id name enforce2fa } }")
    assert result.errors is None
    assert result.data == {"role": {"id": "3", "name": "Editors", "enforce2fa": True}}


def test_django_scim2_imports_and_its_filter_parser_binds_values(settings):
    settings.SCIM_SERVICE_PROVIDER = {"NETLOC": "localhost", "AUTHENTICATION_SCHEMES": []}
    import django_scim.views  # noqa: F401
    from scim2_filter_parser.queries import SQLQuery

    query = SQLQuery('userName eq "bob@example.com"', "directus_users", {("userName", None, None): "email"})
    assert "email" in query.sql
    assert "bob@example.com" not in query.sql
    assert query.params == ["bob@example.com"]
