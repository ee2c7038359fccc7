"""POST /:project/schema/diff and /schema/apply on the blog schema, on every engine: what a
changed snapshot would change, applying it (lengths, new fields, relations, drops only when
allowed), and bad snapshots or failing plans that leave the project exactly as it was."""

import copy

import pytest

from apps.snapshots.document import as_document, parse
from tests.api.schema.test_failure_safety import assert_unchanged
from tests.api.schema.test_failure_safety import snapshot as database_state
from tests.helpers import assert_error


def take(api, url) -> dict:
    response = api.get(url("schema/snapshot"))
    assert response.status_code == 200, response.content
    return response.json()["data"]


def post(api, url, route: str, document, **query):
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return api.post(url(f"schema/{route}") + (f"?{params}" if params else ""), document, format="json")


def changes_of(response) -> list[tuple]:
    assert response.status_code == 200, response.content
    return [(c["action"], c["kind"], c["collection"], c["field"]) for c in response.json()["data"]["changes"]]


def collection(document: dict, name: str) -> dict:
    return next(c for c in document["collections"] if c["collection"] == name)


def field(document: dict, collection_name: str, name: str) -> dict:
    return next(f for f in collection(document, collection_name)["fields"] if f["field"] == name)


def drop_field(document: dict, collection_name: str, name: str) -> None:
    fields = collection(document, collection_name)["fields"]
    fields[:] = [f for f in fields if f["field"] != name]


def drop_collection(document: dict, name: str) -> None:
    document["collections"] = [c for c in document["collections"] if c["collection"] != name]
    document["relations"] = [
        r for r in document["relations"] if name not in (r["collection_many"], r["collection_one"])
    ]


SUBTITLE = {"field": "subtitle", "type": "string", "datatype": "VARCHAR", "length": 80, "note": "Under the title"}


def edited(document: dict) -> dict:
    """The blog with a longer author name, a new article field and a new collection."""
    document = copy.deepcopy(document)
    field(document, "authors", "name")["length"] = 200
    collection(document, "articles")["fields"].append(SUBTITLE)
    collection(document, "articles")["note"] = "Posts"
    document["collections"].append(
        {
            "collection": "labels",
            "fields": [
                {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
                {"field": "name", "type": "string", "datatype": "VARCHAR", "length": 30},
            ],
        }
    )
    return document


def test_diff_lists_what_would_be_added_changed_and_dropped_and_changes_nothing(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    before = take(api, url)
    wanted = edited(before)
    drop_field(wanted, "comments", "text")
    drop_collection(wanted, "tags")
    response = post(api, url, "diff", wanted)
    assert changes_of(response) == [
        ("create", "collection", "labels", None),
        ("update", "collection", "articles", None),
        ("create", "field", "articles", "subtitle"),
        ("update", "field", "authors", "name"),
        ("delete", "relation", "articles_tags", "tag"),
        ("delete", "field", "comments", "text"),
        ("delete", "collection", "tags", None),
    ]
    by_kind = {(c["kind"], c["collection"], c["field"]): c for c in response.json()["data"]["changes"]}
    assert by_kind[("field", "authors", "name")]["before"] == {"length": 100}
    assert by_kind[("field", "authors", "name")]["after"] == {"length": 200}
    assert by_kind[("collection", "articles", None)]["after"] == {"note": "Posts"}
    assert by_kind[("field", "articles", "subtitle")]["after"]["datatype"] == "VARCHAR"
    assert by_kind[("collection", "tags", None)]["before"]["fields"][0]["field"] == "id"
    assert take(api, url) == before


def test_apply_changes_a_length_adds_fields_and_collections_and_keeps_the_rows(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    author = api.post(url("items/authors"), {"name": "Ada"}, format="json").json()["data"]
    wanted = edited(take(api, url))
    response = post(api, url, "apply", wanted)
    assert ("update", "field", "authors", "name") in changes_of(response)
    taken = take(api, url)
    assert taken == as_document(parse(wanted))  # every key of it, in the snapshot's order
    assert api.get(url(f"items/authors/{author['id']}")).json()["data"]["name"] == "Ada"
    long_name = api.post(url("items/authors"), {"name": "x" * 150}, format="json")
    assert long_name.status_code == 200, long_name.content
    assert api.get(url("fields/articles/subtitle")).json()["data"]["note"] == "Under the title"
    assert api.post(url("items/labels"), {"name": "news"}, format="json").status_code == 200
    assert changes_of(post(api, url, "apply", wanted)) == []


def test_a_dry_run_lists_the_changes_and_applies_nothing(blog, schema_admin_api, schema_url, schema_project):
    api, url = schema_admin_api, schema_url
    before = database_state(schema_project)
    response = post(api, url, "apply", edited(take(api, url)), dry_run=1)
    assert len(changes_of(response)) == 4
    assert_unchanged(schema_project, before)


def test_a_field_holding_values_is_dropped_only_when_drops_are_allowed(
    blog, schema_admin_api, schema_url, schema_project
):
    api, url = schema_admin_api, schema_url
    article = api.post(url("items/articles"), {"title": "Hello"}, format="json").json()["data"]
    api.post(url("items/comments"), {"text": "First", "article": article["id"]}, format="json")
    wanted = edited(take(api, url))
    drop_field(wanted, "comments", "text")
    before = database_state(schema_project)
    message = assert_error(post(api, url, "apply", wanted), 422, 4)
    assert '"comments.text"' in message and "allow drops" in message
    assert_unchanged(schema_project, before)  # the other changes of the snapshot neither

    assert ("delete", "field", "comments", "text") in changes_of(post(api, url, "apply", wanted, allow_drops=1))
    assert "text" not in api.get(url("collections/comments")).json()["data"]["fields"]
    assert api.get(url("items/comments")).json()["data"] == [{"id": 1, "article": article["id"]}]


def test_fields_of_an_empty_collection_and_aliases_drop_without_asking(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    api.post(url("items/articles"), {"title": "Hello"}, format="json")
    wanted = take(api, url)
    drop_field(wanted, "comments", "text")  # comments has no rows
    drop_field(wanted, "articles", "comments")  # an alias holds no values
    wanted["relations"] = [
        {**r, "field_one": None} if (r["collection_many"], r["field_many"]) == ("comments", "article") else r
        for r in wanted["relations"]
    ]
    assert changes_of(post(api, url, "apply", wanted)) == [
        ("update", "relation", "comments", "article"),
        ("delete", "field", "articles", "comments"),
        ("delete", "field", "comments", "text"),
    ]


def test_a_collection_holding_rows_is_dropped_only_when_drops_are_allowed(
    blog, schema_admin_api, schema_url, schema_project
):
    api, url = schema_admin_api, schema_url
    api.post(url("items/tags"), {"name": "news"}, format="json")
    wanted = take(api, url)
    drop_collection(wanted, "tags")
    before = database_state(schema_project)
    message = assert_error(post(api, url, "apply", wanted), 422, 4)
    assert 'collection "tags"' in message
    assert_unchanged(schema_project, before)

    post(api, url, "apply", wanted, allow_drops=1)
    assert_error(api.get(url("collections/tags")), 404, 200)
    relations = api.get(url("relations?limit=-1")).json()["data"]
    assert not [r for r in relations if "tags" in (r["collection_many"], r["collection_one"])]


def test_relations_are_created_changed_and_deleted(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    wanted = take(api, url)
    collection(wanted, "articles")["fields"].append({"field": "editor", "type": "m2o", "datatype": "INT"})
    wanted["relations"].append({"collection_many": "articles", "field_many": "editor", "collection_one": "authors"})
    for relation in wanted["relations"]:
        if relation["field_many"] == "author":
            relation["collection_one"] = "directus_users"
            relation["field_one"] = None
    drop_field(wanted, "authors", "articles")
    wanted["relations"] = [r for r in wanted["relations"] if r["field_many"] != "tag"]
    assert changes_of(post(api, url, "apply", wanted)) == [
        ("create", "field", "articles", "editor"),
        ("update", "relation", "articles", "author"),
        ("create", "relation", "articles", "editor"),
        ("delete", "relation", "articles_tags", "tag"),
        ("delete", "field", "authors", "articles"),
    ]
    relations = {
        (r["collection_many"], r["field_many"]): (r["collection_one"], r["field_one"])
        for r in api.get(url("relations?limit=-1")).json()["data"]
    }
    assert relations[("articles", "editor")] == ("authors", None)
    assert relations[("articles", "author")] == ("directus_users", None)
    assert ("articles_tags", "tag") not in relations
    user = api.get(url("items/articles?fields=author.email&limit=1"))
    assert user.status_code == 200, user.content


def test_a_plan_that_fails_halfway_leaves_the_project_as_it_was(blog, schema_admin_api, schema_url, schema_project):
    """The new collection is made, then a unique key on names that repeat fails: the database
    refuses it, and the collection made before is gone again (rolled back, or on MariaDB undone)."""
    api, url = schema_admin_api, schema_url
    for name in ("Ada", "Ada"):
        api.post(url("items/authors"), {"name": name}, format="json")
    wanted = edited(take(api, url))
    field(wanted, "authors", "name")["unique"] = True
    before = database_state(schema_project)
    message = assert_error(post(api, url, "apply", wanted), 422, 12)
    assert "authors.name" in message and "Nothing was applied" in message
    assert_unchanged(schema_project, before)
    assert_error(api.get(url("collections/labels")), 404, 200)
    assert "subtitle" not in api.get(url("collections/articles")).json()["data"]["fields"]


@pytest.mark.parametrize(
    ("change", "status", "code", "named"),
    [
        (lambda d: d.update(version=2), 422, 4, "version: 2 is newer"),
        (lambda d: d.pop("version"), 422, 4, "version: missing"),
        (lambda d: d.update(tables=[]), 422, 4, "unknown keys: tables"),
        (lambda d: collection(d, "authors").update(color="red"), 422, 4, '"authors": unknown keys: color'),
        (lambda d: field(d, "authors", "name").update(size=3), 422, 4, '"name": unknown keys: size'),
        (lambda d: field(d, "authors", "name").update(type="colour"), 422, 401, "Unknown type: colour"),
        (lambda d: d["relations"].append({"collection_many": "nowhere", "field_many": "x"}), 422, 4, '"nowhere"'),
    ],
)
def test_a_bad_snapshot_is_refused_naming_what_is_wrong_and_nothing_is_applied(
    blog, schema_admin_api, schema_url, schema_project, change, status, code, named
):
    api, url = schema_admin_api, schema_url
    wanted = edited(take(api, url))
    change(wanted)
    before = database_state(schema_project)
    for route in ("diff", "apply"):
        message = assert_error(post(api, url, route, wanted, allow_drops=1), status, code)
        assert named in message, message
    assert_unchanged(schema_project, before)


@pytest.mark.parametrize("body", [[], "text", None])
def test_a_body_that_is_no_object_is_an_invalid_payload(blog, schema_admin_api, schema_url, body):
    assert_error(post(schema_admin_api, schema_url, "apply", body), 400, 13)


def test_metadata_and_nullability_change_without_touching_the_rest(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    wanted = take(api, url)
    field(wanted, "authors", "email").update(required=True, nullable=False, note="Where to write", width="half")
    field(wanted, "articles", "body").update(interface="wysiwyg", options={"toolbar": ["bold"]})
    changes = post(api, url, "apply", wanted).json()["data"]["changes"]
    assert [(c["field"], c["after"]) for c in changes] == [
        ("body", {"interface": "wysiwyg", "options": {"toolbar": ["bold"]}}),
        ("email", {"required": True, "note": "Where to write", "width": "half", "nullable": False}),
    ]
    email = api.get(url("fields/authors/email")).json()["data"]
    assert (email["required"], email["note"], email["width"], email["length"]) == (True, "Where to write", "half", 100)
    refused = api.post(url("items/authors"), {"name": "Ada", "email": None}, format="json")
    assert refused.status_code == 422, refused.content
    assert take(api, url) == as_document(parse(wanted))
