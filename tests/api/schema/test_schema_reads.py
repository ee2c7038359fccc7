"""Who reads `/collections` and `/fields` (collections.md, fields.md): the permission rows on
directus_collections and directus_fields decide, as for any collection; field definitions follow
the read rules of their own collection."""

import pytest
from rest_framework.test import APIClient

from apps.permissions.models import Permission
from apps.roles.models import PUBLIC_ROLE_ID, Role
from apps.users.models import User
from tests.helpers import assert_error


@pytest.fixture
def editor(blog, schema_admin_api, schema_url):
    """A client of a role made through `/roles` (so it has the default rows), reading the blog."""
    response = schema_admin_api.post(schema_url("roles"), {"name": "Editors"}, format="json")
    assert response.status_code == 200
    role = Role.objects.get(pk=response.json()["data"]["id"])
    Permission.objects.create(collection="articles", role=role.pk, status="published", read="full")
    Permission.objects.create(
        collection="articles", role=role.pk, status="draft", read="full", read_field_blacklist=["body", "rating"]
    )
    Permission.objects.create(collection="authors", role=role.pk, read="full", read_field_blacklist=["email"])
    User.objects.create(email="editor@example.com", status="active", role=role.pk, token="editor-token")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer editor-token")
    client.role = role
    yield client
    # The schema project keeps its system rows between tests: take the role out again.
    User.objects.filter(role=role.pk).delete()
    Permission.objects.filter(role=role.pk).delete()
    role.delete()


def names(response) -> set[tuple[str, str]]:
    assert response.status_code == 200, response.content
    return {(field["collection"], field["field"]) for field in response.json()["data"]}


def test_default_rows_let_a_role_read_the_schema(editor, schema_url):
    collections = editor.get(schema_url("collections")).json()["data"]
    assert {"articles", "authors", "tags"} <= {row["collection"] for row in collections}
    assert editor.get(schema_url("collections/articles")).json()["data"]["collection"] == "articles"
    assert editor.get(schema_url("fields/articles/title")).json()["data"]["field"] == "title"


def test_fields_list_only_collections_the_role_reads(editor, schema_url):
    listed = names(editor.get(schema_url("fields")))
    assert ("articles", "title") in listed and ("authors", "name") in listed
    assert not any(collection in {"comments", "tags", "articles_tags"} for collection, _ in listed)


def test_a_field_blacklisted_in_every_readable_status_is_not_described(editor, schema_url):
    # `body` is blacklisted for drafts only: published articles show it, so the form needs it.
    articles = names(editor.get(schema_url("fields/articles")))
    assert ("articles", "body") in articles
    authors = names(editor.get(schema_url("fields/authors")))
    assert ("authors", "email") not in authors and ("authors", "name") in authors
    assert ("authors", "email") not in names(editor.get(schema_url("fields")))
    assert_error(editor.get(schema_url("fields/authors/email")), 403, 215)
    assert_error(editor.get(schema_url("fields/authors/name,email")), 403, 215)
    assert_error(editor.get(schema_url("fields/authors/nope")), 404, 202)


def test_a_field_of_an_unreadable_collection_is_denied(editor, schema_url):
    assert_error(editor.get(schema_url("fields/tags/name")), 403, 300)
    assert editor.get(schema_url("fields/tags")).json()["data"] == []


def test_without_the_read_rows_the_schema_is_closed(editor, schema_url):
    Permission.objects.filter(role=editor.role.pk, collection="directus_collections").update(read="none")
    assert_error(editor.get(schema_url("collections")), 403, 300)
    assert_error(editor.get(schema_url("collections/articles")), 403, 300)
    assert editor.get(schema_url("fields")).status_code == 200
    Permission.objects.filter(role=editor.role.pk, collection="directus_fields").delete()
    assert_error(editor.get(schema_url("fields")), 403, 300)
    assert_error(editor.get(schema_url("fields/articles")), 403, 300)
    assert_error(editor.get(schema_url("fields/articles/title")), 403, 300)


@pytest.fixture
def public_rows(blog):
    yield
    Permission.objects.filter(role=PUBLIC_ROLE_ID).delete()


def test_the_public_role_reads_the_schema_only_when_granted(public_rows, schema_url):
    public = APIClient()
    for path in ("collections", "collections/articles", "fields", "fields/articles", "fields/articles/title"):
        assert_error(public.get(schema_url(path)), 401, 3)
    Permission.objects.create(collection="directus_collections", role=PUBLIC_ROLE_ID, read="full")
    Permission.objects.create(collection="directus_fields", role=PUBLIC_ROLE_ID, read="full")
    Permission.objects.create(collection="articles", role=PUBLIC_ROLE_ID, read="full")
    assert public.get(schema_url("collections/articles")).status_code == 200
    readable = {"articles", "directus_collections", "directus_fields"}
    assert {collection for collection, _ in names(public.get(schema_url("fields")))} == readable
    assert public.get(schema_url("fields/articles/title")).status_code == 200
    assert_error(public.get(schema_url("fields/authors/name")), 401, 3)


def test_admins_read_every_definition(blog, schema_admin_api, schema_url):
    listed = names(schema_admin_api.get(schema_url("fields")))
    assert {("authors", "email"), ("tags", "name"), ("directus_users", "password")} <= listed
