"""Collections, fields and relations through HTTP, with the real tables on every engine."""

import datetime
from decimal import Decimal

import pytest
from django.db import connections

from apps.schema import introspect
from apps.schema.cache import project_schema
from apps.schema.models import Collection, Field, Relation
from tests.helpers import error_of

EVERY_TYPE = [
    {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
    {"field": "status", "type": "status", "datatype": "VARCHAR", "length": 20, "default_value": "draft"},
    {"field": "sort", "type": "sort", "datatype": "INT"},
    {"field": "owner", "type": "owner", "datatype": "INT"},
    {"field": "modified_by", "type": "user_updated", "datatype": "INT"},
    {"field": "created_on", "type": "datetime_created", "datatype": "DATETIME"},
    {"field": "modified_on", "type": "datetime_updated", "datatype": "DATETIME"},
    {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 200, "required": True},
    {"field": "body", "type": "string", "datatype": "TEXT"},
    {"field": "amount", "type": "integer", "datatype": "INT", "signed": True},
    {"field": "big", "type": "integer", "datatype": "BIGINT", "signed": True},
    {"field": "price", "type": "decimal", "datatype": "DECIMAL", "length": "10,2"},
    {"field": "ratio", "type": "decimal", "datatype": "FLOAT"},
    {"field": "active", "type": "boolean", "datatype": "TINYINT", "length": 1, "default_value": False},
    {"field": "day", "type": "date", "datatype": "DATE"},
    {"field": "at", "type": "time", "datatype": "TIME"},
    {"field": "happened_at", "type": "datetime", "datatype": "DATETIME"},
    {"field": "data", "type": "json", "datatype": "TEXT"},
    {"field": "tags", "type": "array", "datatype": "VARCHAR", "length": 255},
    {"field": "uid", "type": "uuid", "datatype": "VARCHAR", "length": 36, "unique": True},
    {"field": "secret", "type": "hash", "datatype": "VARCHAR", "length": 255},
    {"field": "slug", "type": "slug", "datatype": "VARCHAR", "length": 255},
    {"field": "image", "type": "file", "datatype": "INT"},
    {"field": "editor", "type": "user", "datatype": "INT"},
    {"field": "author", "type": "m2o", "datatype": "INT"},
    {"field": "code", "type": "lang", "datatype": "VARCHAR", "length": 8},
    {"field": "raw", "type": "binary", "datatype": "BLOB"},
    {"field": "divider", "type": "alias", "interface": "divider"},
    {"field": "grouped", "type": "group"},
    {"field": "comments", "type": "o2m"},
    {"field": "translations", "type": "translation"},
]
ALIASES = {"divider", "grouped", "comments", "translations"}


def tables(project) -> set[str]:
    return set(introspect.table_names(project.alias))


def columns(project, table: str) -> dict:
    return {column.name: column for column in introspect.columns(project.alias, [table])[table]}


def create(api, url, name: str, fields: list[dict], **extra):
    return api.post(url("collections"), {"collection": name, "fields": fields, **extra}, format="json")


def simple(name: str, *more: dict) -> list[dict]:
    return [
        {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
        {"field": "name", "type": "string", "datatype": "VARCHAR", "length": 100},
        *more,
    ]


def test_a_collection_with_every_type_round_trips(schema_admin_api, schema_url, schema_project):
    response = create(schema_admin_api, schema_url, "kitchen", EVERY_TYPE, icon="box", note="All types")
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {
        "collection": "kitchen",
        "managed": True,
        "hidden": False,
        "single": False,
        "icon": "box",
        "note": "All types",
        "translation": None,
    }
    live = columns(schema_project, "kitchen")
    assert set(live) == {f["field"] for f in EVERY_TYPE} - ALIASES

    fields = schema_admin_api.get(schema_url("fields/kitchen")).json()["data"]
    by_name = {f["field"]: f for f in fields}
    assert [f["field"] for f in fields] == [f["field"] for f in EVERY_TYPE]
    for definition in EVERY_TYPE:
        field = by_name[definition["field"]]
        assert field["type"] == definition["type"]
        assert isinstance(field["id"], int)
        if definition["field"] in ALIASES:
            assert field["datatype"] is None
        else:
            assert field["datatype"], definition
    assert by_name["id"]["primary_key"] is True and by_name["id"]["auto_increment"] is True
    assert by_name["title"]["required"] is True and by_name["title"]["length"] == 200
    assert by_name["price"]["length"] == "10,2"
    assert by_name["uid"]["unique"] is True
    assert by_name["status"]["default_value"] == "draft"

    # The run-time model stores and reads every column type.
    model = project_schema().model("kitchen")
    row = model.objects.create(
        title="Hello",
        body="x" * 5000,
        amount=-5,
        big=2**40,
        price=Decimal("12.34"),
        ratio=0.5,
        active=True,
        day=datetime.date(2020, 1, 2),
        at=datetime.time(10, 11, 12),
        happened_at=datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        data={"a": [1, 2]},
        tags=["a", "b"],
        uid="0b7e1a2c-0000-4000-8000-000000000000",
        raw=b"\x00\x01",
    )
    stored = model.objects.values().get(pk=row.pk)
    assert stored["status"] == "draft"
    assert stored["price"] == Decimal("12.34") and stored["big"] == 2**40 and stored["active"] is True
    assert stored["data"] == {"a": [1, 2]} and stored["tags"] == ["a", "b"]
    assert bytes(stored["raw"]) == b"\x00\x01"


def test_collections_list_has_system_user_and_unmanaged_tables(schema_admin_api, schema_url, schema_project):
    create(schema_admin_api, schema_url, "managed_one", simple("managed_one"))
    connection = connections[schema_project.alias]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {connection.ops.quote_name('legacy_table')} (id INT PRIMARY KEY, label TEXT)")
    project_schema().forget()

    data = schema_admin_api.get(schema_url("collections")).json()["data"]
    by_name = {c["collection"]: c for c in data}
    assert by_name["managed_one"]["managed"] is True
    assert by_name["legacy_table"]["managed"] is False
    assert set(by_name["legacy_table"]["fields"]) == {"id", "label"}
    assert by_name["directus_users"]["fields"]["password"]["type"] == "hash"
    assert "django_migrations" not in by_name and "django_directus_schema" not in by_name

    detail = schema_admin_api.get(schema_url("collections/legacy_table")).json()["data"]
    assert detail["fields"]["label"]["type"] == "string" and detail["fields"]["label"]["id"] is None


def test_fields_are_added_altered_and_dropped(schema_admin_api, schema_url, schema_project):
    api, url = schema_admin_api, schema_url
    assert create(api, url, "notes", simple("notes")).status_code == 200

    response = api.post(url("fields/notes"), {"field": "rating", "type": "integer", "datatype": "INT"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["field"] == "rating"
    assert "rating" in columns(schema_project, "notes")

    response = api.patch(url("fields/notes/name"), {"length": 250, "note": "Display name"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["length"] == 250
    assert columns(schema_project, "notes")["name"].length == 250
    assert Field.objects.get(collection="notes", field="name").note == "Display name"

    response = api.patch(
        url("fields/notes"), [{"field": "name", "sort": 2}, {"field": "rating", "sort": 1}], format="json"
    )
    assert response.status_code == 200
    assert [f["sort"] for f in response.json()["data"]] == [2, 1]

    # A real field turned into an alias loses its column, and back.
    assert api.patch(url("fields/notes/rating"), {"type": "alias"}, format="json").status_code == 200
    assert "rating" not in columns(schema_project, "notes")
    response = api.patch(url("fields/notes/rating"), {"type": "integer", "datatype": "INT"}, format="json")
    assert response.status_code == 200, response.content
    assert "rating" in columns(schema_project, "notes")

    assert api.delete(url("fields/notes/rating")).status_code == 204
    assert "rating" not in columns(schema_project, "notes")
    assert not Field.objects.filter(collection="notes", field="rating").exists()
    assert error_of(api.get(url("fields/notes/rating"))) == (404, 202)


def test_relations_of_every_kind(schema_admin_api, schema_url, schema_project):
    api, url = schema_admin_api, schema_url
    assert create(api, url, "authors", [*simple("authors"), {"field": "books", "type": "o2m"}]).status_code == 200
    assert create(api, url, "tags", simple("tags")).status_code == 200
    articles = [
        *simple("articles"),
        {"field": "author", "type": "m2o", "datatype": "INT"},
        {"field": "tags", "type": "o2m"},
    ]
    assert create(api, url, "articles", articles).status_code == 200
    junction = [
        {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
        {"field": "article", "type": "integer", "datatype": "INT"},
        {"field": "tag", "type": "integer", "datatype": "INT"},
    ]
    assert create(api, url, "articles_tags", junction).status_code == 200

    response = api.post(
        url("relations"),
        [
            {"collection_many": "articles", "field_many": "author", "collection_one": "authors", "field_one": "books"},
            {
                "collection_many": "articles_tags",
                "field_many": "article",
                "collection_one": "articles",
                "field_one": "tags",
                "junction_field": "tag",
            },
            {
                "collection_many": "articles_tags",
                "field_many": "tag",
                "collection_one": "tags",
                "field_one": None,
                "junction_field": "article",
            },
        ],
        format="json",
    )
    assert response.status_code == 200, response.content
    created = response.json()["data"]
    assert [r["collection_many"] for r in created] == ["articles", "articles_tags", "articles_tags"]

    schema = project_schema()
    author = schema.collection("articles").fields["author"].relation
    assert (author.kind, author.collection) == ("m2o", "authors")
    books = schema.collection("authors").fields["books"].relation
    assert (books.kind, books.collection, books.field_many) == ("o2m", "articles", "author")
    tags = schema.collection("articles").fields["tags"].relation
    assert (tags.kind, tags.collection, tags.far_collection) == ("m2m", "articles_tags", "tags")

    relation_id = created[0]["id"]
    response = api.patch(url(f"relations/{relation_id}"), {"field_one": None}, format="json")
    assert response.status_code == 200 and response.json()["data"]["field_one"] is None
    assert project_schema().collection("authors").fields["books"].relation is None
    assert error_of(api.get(url("relations/999999"))) == (404, 203)

    # Deleting the M2M alias removes both junction rows; dropping collections removes the rest.
    assert api.delete(url("fields/articles/tags")).status_code == 204
    assert not Relation.objects.filter(collection_many="articles_tags").exists()
    for name in ("articles_tags", "articles", "tags", "authors"):
        assert api.delete(url(f"collections/{name}")).status_code == 204
    assert not tables(schema_project) & {"articles_tags", "articles", "tags", "authors"}
    assert not Field.objects.filter(collection__in=["articles", "authors", "tags", "articles_tags"]).exists()
    assert not Collection.objects.filter(collection__in=["articles", "authors", "tags", "articles_tags"]).exists()
    assert not Relation.objects.filter(collection_many="articles").exists()


@pytest.mark.parametrize(
    "name",
    ["", "x" * 64, "select", 'quo"te', "semi;colon", "dot.ted", "spa ce", "directus_things", "double__under", "-dash"],
)
def test_invalid_collection_names_are_refused(schema_admin_api, schema_url, schema_project, name):
    before = tables(schema_project)
    response = create(schema_admin_api, schema_url, name, simple(name))
    assert error_of(response) == (422, 4), response.content
    assert tables(schema_project) == before


@pytest.mark.parametrize("name", ["", "x" * 64, "order", "a.b", "it's", "pk__in"])
def test_invalid_field_names_are_refused(schema_admin_api, schema_url, schema_project, name):
    assert create(schema_admin_api, schema_url, "guarded", simple("guarded")).status_code == 200
    before = columns(schema_project, "guarded")
    response = schema_admin_api.post(
        schema_url("fields/guarded"),
        {"field": name, "type": "string", "datatype": "VARCHAR", "length": 10},
        format="json",
    )
    assert error_of(response) == (422, 4)
    assert columns(schema_project, "guarded").keys() == before.keys()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ([{"field": "id", "type": "nonsense", "datatype": "INT", "primary_key": True}], 401),
        ([{"field": "id", "type": "integer", "datatype": "INT"}], 12),
        (
            [
                {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True},
                {"field": "id2", "type": "integer", "datatype": "INT", "primary_key": True},
            ],
            12,
        ),
        (
            [
                {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True},
                {"field": "name", "type": "string", "datatype": "VARCHAR"},
            ],
            402,
        ),
        (
            [
                {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True},
                {"field": "body", "type": "string", "datatype": "TEXT", "length": 10},
            ],
            403,
        ),
        (
            [
                {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True},
                {"field": "a", "type": "status", "datatype": "VARCHAR", "length": 10},
                {"field": "b", "type": "status", "datatype": "VARCHAR", "length": 10},
            ],
            4,
        ),
        (
            [
                {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True},
                {"field": "ID", "type": "string", "datatype": "VARCHAR", "length": 10},
            ],
            12,
        ),
    ],
)
def test_bad_collection_definitions_are_refused(schema_admin_api, schema_url, schema_project, fields, code):
    before = tables(schema_project)
    response = create(schema_admin_api, schema_url, "badly_defined", fields)
    assert error_of(response) == (422, code), response.content
    assert tables(schema_project) == before
    assert not Collection.objects.filter(collection="badly_defined").exists()
    assert not Field.objects.filter(collection="badly_defined").exists()


def test_duplicates_are_refused(schema_admin_api, schema_url, schema_project):
    api, url = schema_admin_api, schema_url
    assert create(api, url, "once", simple("once")).status_code == 200
    response = create(api, url, "once", simple("once"))
    assert error_of(response) == (422, 307)
    response = api.post(url("fields/once"), {"field": "name", "type": "string", "datatype": "TEXT"}, format="json")
    assert error_of(response) == (422, 308)
    assert columns(schema_project, "once")["name"].datatype == "VARCHAR"


def test_the_primary_key_cannot_be_changed_or_dropped(schema_admin_api, schema_url, schema_project):
    api, url = schema_admin_api, schema_url
    assert create(api, url, "keyed", simple("keyed")).status_code == 200
    response = api.patch(url("fields/keyed/id"), {"datatype": "BIGINT"}, format="json")
    assert response.status_code == 422
    assert columns(schema_project, "keyed")["id"].datatype in {"INT", "INTEGER"}
    assert api.delete(url("fields/keyed/id")).status_code == 422
    assert "id" in columns(schema_project, "keyed")
    # Metadata-only changes of the key are fine.
    assert api.patch(url("fields/keyed/id"), {"note": "The key"}, format="json").status_code == 200


def test_unknown_collections_and_fields(schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    assert error_of(api.get(url("collections/nowhere"))) == (404, 200)
    assert error_of(api.get(url("fields/nowhere"))) == (404, 200)
    assert error_of(api.delete(url("collections/nowhere"))) == (404, 200)
    assert error_of(api.get(url("fields/directus_users/nothing"))) == (404, 202)


def test_relations_to_restricted_system_collections_are_refused(schema_admin_api, schema_url):
    response = schema_admin_api.post(
        schema_url("relations"),
        {"collection_many": "x", "field_many": "y", "collection_one": "directus_fields"},
        format="json",
    )
    assert error_of(response) == (401, 201)
    assert not Relation.objects.filter(collection_many="x").exists()


def test_non_admins_cannot_change_the_schema(schema_admin_api, schema_url, schema_project):
    from rest_framework.test import APIClient

    from apps.permissions.services import create_default_permissions
    from apps.roles.models import Role
    from apps.users.models import User

    assert create(schema_admin_api, schema_url, "kept", simple("kept")).status_code == 200
    role = Role.objects.create(name="Editors")
    create_default_permissions(role.pk)
    User.objects.create(email="editor@example.com", status="active", role=role.pk, token="editor-token")
    try:
        editor = APIClient()
        editor.credentials(HTTP_AUTHORIZATION="Bearer editor-token")
        before = tables(schema_project)
        response = create(editor, schema_url, "sneaky", simple("sneaky"))
        assert error_of(response) == (401, 3)
        response = editor.delete(schema_url("collections/kept"))
        assert error_of(response) == (403, 306)
        response = editor.post(
            schema_url("fields/kept"), {"field": "x", "type": "integer", "datatype": "INT"}, format="json"
        )
        assert response.status_code == 403
        assert tables(schema_project) == before and "x" not in columns(schema_project, "kept")
        # Reading the schema is allowed to every role; the public gets 401.
        assert editor.get(schema_url("collections/kept")).status_code == 200
        assert error_of(APIClient().get(schema_url("collections"))) == (401, 3)
    finally:
        User.objects.filter(email="editor@example.com").delete()
        role.delete()


def test_deleting_the_status_field_removes_status_scoped_permissions(schema_admin_api, schema_url):
    from apps.permissions.models import Permission

    api, url = schema_admin_api, schema_url
    fields = simple("flows", {"field": "status", "type": "status", "datatype": "VARCHAR", "length": 20})
    assert create(api, url, "flows", fields).status_code == 200
    Permission.objects.create(collection="flows", role=2, status="published", read="full")
    Permission.objects.create(collection="flows", role=2, read="mine")
    assert api.delete(url("fields/flows/status")).status_code == 204
    assert list(Permission.objects.filter(collection="flows").values_list("status", flat=True)) == [None]


def test_boolean_defaults_apply_when_the_value_is_left_out(schema_admin_api, schema_url, schema_project):
    api, url = schema_admin_api, schema_url
    flags = [
        {"field": "off", "type": "boolean", "datatype": "TINYINT", "length": 1, "default_value": False},
        {"field": "lit", "type": "boolean", "datatype": "TINYINT", "length": 1, "default_value": True},
    ]
    response = create(api, url, "flags", simple("flags", *flags))
    assert response.status_code == 200, response.content
    created = api.post(url("items/flags"), {"name": "x"}, format="json")
    assert created.status_code == 200, created.content
    assert (created.json()["data"]["off"], created.json()["data"]["lit"]) == (False, True)


def test_every_reported_datatype_is_accepted_back(schema_admin_api, schema_url, schema_project):
    """What GET /fields reports (`BOOLEAN` on PostgreSQL and SQLite, say) can be sent back as it
    is: to the same field, and to a new one."""
    api, url = schema_admin_api, schema_url
    kinds = [f for f in EVERY_TYPE if f["field"] in {"title", "body", "big", "price", "ratio", "active", "day", "at"}]
    kinds += [{"field": "happened", "type": "datetime", "datatype": "DATETIME"}]
    kinds += [{"field": "featured", "type": "boolean", "datatype": "BOOLEAN"}]
    assert create(api, url, "reported", simple("reported", *kinds)).status_code == 200
    before = columns(schema_project, "reported")
    for field in api.get(url("fields/reported")).json()["data"]:
        if field["primary_key"]:
            continue
        sent = {key: field[key] for key in ("type", "datatype", "length", "default_value", "signed")}
        response = api.patch(url(f"fields/reported/{field['field']}"), sent, format="json")
        assert response.status_code == 200, (field["datatype"], response.content)
        copy = {**sent, "field": f"{field['field']}_copy"}
        response = api.post(url("fields/reported"), copy, format="json")
        assert response.status_code == 200, (field["datatype"], response.content)
        assert response.json()["data"]["datatype"] == field["datatype"]
    after = columns(schema_project, "reported")
    assert {name: after[name].datatype for name in before} == {name: c.datatype for name, c in before.items()}
