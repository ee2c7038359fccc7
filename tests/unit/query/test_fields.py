"""The `fields` parameter parser (apps.core.query.fields): plain data in, a tree out."""

import pytest

from apps.core.query.fields import FieldsTree, parse_fields, split_entries

COLUMNS = ["id", "title", "body", "author", "image"]


@pytest.mark.parametrize("value", [None, "", [], ",", " , ", ["", " "], "."])
def test_absent_or_empty_means_everything(value):
    tree = parse_fields(value)
    assert tree.wildcard is True
    assert tree.select(COLUMNS) == COLUMNS
    assert tree.child("author") is None


def test_csv_and_array_forms_are_the_same():
    assert parse_fields("id, title ,author.name") == parse_fields(["id", "title", "author.name"])
    assert parse_fields(["id,title", "author.name"]) == parse_fields("id,title,author.name")
    # PHP `fields[0]=a&fields[2]=b` arrives as a dict of index -> value.
    assert parse_fields({"0": "id", "2": "title"}).select(COLUMNS) == ["id", "title"]


def test_named_fields_keep_request_order_and_drop_duplicates():
    tree = parse_fields("title,id,title")
    assert tree.wildcard is False
    assert tree.select(COLUMNS) == ["title", "id"]
    assert tree.explicit_names == ["title", "id"]


def test_star_selects_given_names_only():
    tree = parse_fields("*")
    assert tree.select(COLUMNS) == COLUMNS
    assert tree.child("author") is None  # no expansion without `.*`
    assert tree.depth() == 0


def test_star_plus_named_extra_is_appended():
    tree = parse_fields("*,comments.*")
    assert tree.select(COLUMNS) == [*COLUMNS, "comments"]
    assert tree.child("comments") == FieldsTree(wildcard=True)
    assert tree.child("author") is None


def test_star_star_expands_every_relation_one_level():
    tree = parse_fields("*.*")
    assert tree.wildcard is True
    assert tree.child("author") == FieldsTree(wildcard=True)
    assert tree.child("author").child("x") is None
    assert tree.depth() == 1


def test_each_extra_star_adds_a_level():
    tree = parse_fields("*.*.*")
    assert tree.child("author").child("avatar") == FieldsTree(wildcard=True)
    assert tree.depth() == 2


def test_dot_path_selects_inside_a_relation():
    tree = parse_fields("id,author.name,author.email")
    assert tree.select(COLUMNS) == ["id", "author"]
    author = tree.child("author")
    assert author.wildcard is False
    assert author.select(["id", "name", "email", "password"]) == ["name", "email"]
    assert tree.child("id") is None


def test_explicit_path_replaces_the_wildcard_expansion():
    tree = parse_fields("*.*,images.thumbnails.*")
    images = tree.child("images")
    assert images.wildcard is False
    assert images.select(["id", "thumbnails", "name"]) == ["thumbnails"]
    assert images.child("thumbnails") == FieldsTree(wildcard=True)
    # Other relations keep the wildcard's expansion.
    assert tree.child("author") == FieldsTree(wildcard=True)


def test_keeping_all_fields_and_a_deeper_path():
    tree = parse_fields("*.*,images.*,images.thumbnails.*")
    images = tree.child("images")
    assert images.wildcard is True
    assert images.select(["id", "thumbnails"]) == ["id", "thumbnails"]
    assert images.child("thumbnails") == FieldsTree(wildcard=True)


def test_plain_name_does_not_cancel_the_wildcard_expansion():
    tree = parse_fields("*.*,author")
    assert tree.child("author") == FieldsTree(wildcard=True)


def test_exclusion_after_wildcard():
    tree = parse_fields("*,-body")
    assert tree.select(COLUMNS) == ["id", "title", "author", "image"]
    assert tree.excluded == {"body"}


def test_exclusion_alone_means_everything_else():
    assert parse_fields("-body,-image").select(COLUMNS) == ["id", "title", "author"]


def test_exclusion_also_removes_a_named_field():
    assert parse_fields("id,title,-title").select(COLUMNS) == ["id"]


def test_nested_exclusion():
    tree = parse_fields("*,author.*,author.-password")
    assert tree.child("author").select(["id", "email", "password"]) == ["id", "email"]


def test_bare_dash_selects_the_key_alone():
    tree = parse_fields("-")
    assert tree.explicit_names == [] and not tree.wildcard
    assert tree.select(COLUMNS, "id") == ["id"]
    assert parse_fields("-,title").select(COLUMNS, "id") == ["id", "title"]
    assert parse_fields("author.-").child("author").select(["id", "name"], "id") == ["id"]


def test_non_relational_dots_and_empty_segments_are_tolerated():
    tree = parse_fields("title.x,author..name,image.")
    assert tree.select(COLUMNS) == ["title", "author", "image"]
    assert tree.child("author").select(["name"]) == ["name"]
    assert tree.child("image") is None


def test_wildcard_children_with_named_fields():
    tree = parse_fields("*.id")
    assert tree.wildcard is True
    assert tree.child("author").select(["id", "name"]) == ["id"]


def test_depth_counts_relations_crossed():
    assert parse_fields("id").depth() == 0
    assert parse_fields("a.b").depth() == 1
    assert parse_fields("a.b.c.*").depth() == 3
    assert parse_fields("*,a.*,b.c.d").depth() == 2


def test_paths_round_trip():
    value = "*,*.*,author.name,-body"
    tree = parse_fields(value)
    assert tree.paths() == ["*", "*.*", "author.name", "-body"]
    assert parse_fields(tree.paths()) == tree


def test_custom_default():
    assert parse_fields(None, default="id").select(COLUMNS) == ["id"]


def test_split_entries():
    assert split_entries(None) == []
    assert split_entries("a, b,,c") == ["a", "b", "c"]
    assert split_entries(["a,b", ["c"]]) == ["a", "b", "c"]
    assert split_entries(5) == ["5"]
