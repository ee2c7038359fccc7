"""The `filter` parser (apps.core.query.filters): query-string dicts in, condition trees out.
No database."""

import pytest
from django.http import QueryDict
from django.test import override_settings

from apps.core import errors
from apps.core.query.filters import OPERATORS, Condition, Group, and_, chain, make_condition, or_, parse_filter, walk
from apps.core.querystring import parse_query


def parsed(query_string: str):
    return parse_filter(parse_query(QueryDict(query_string)).get("filter"))


def single(query_string: str) -> Condition:
    node = parsed(query_string)
    assert isinstance(node, Condition), node
    return node


@pytest.mark.parametrize(
    ("given", "name", "base", "negated"),
    [
        ("eq", "eq", "eq", False),
        ("%3D", "eq", "eq", False),
        ("neq", "neq", "eq", True),
        ("!%3D", "neq", "eq", True),
        ("<>", "neq", "eq", True),
        ("lt", "lt", "lt", False),
        ("<", "lt", "lt", False),
        ("lte", "lte", "lte", False),
        ("<%3D", "lte", "lte", False),
        ("gt", "gt", "gt", False),
        (">", "gt", "gt", False),
        ("gte", "gte", "gte", False),
        (">%3D", "gte", "gte", False),
        ("in", "in", "in", False),
        ("nin", "nin", "in", True),
        ("null", "null", "null", False),
        ("nnull", "nnull", "null", True),
        ("contains", "contains", "contains", False),
        ("like", "contains", "contains", False),
        ("ncontains", "ncontains", "contains", True),
        ("nlike", "ncontains", "contains", True),
        ("rlike", "rlike", "rlike", False),
        ("nrlike", "nrlike", "rlike", True),
        ("between", "between", "between", False),
        ("nbetween", "nbetween", "between", True),
        ("empty", "empty", "empty", False),
        ("nempty", "nempty", "empty", True),
        ("has", "has", "has", False),
        ("nhas", "nhas", "has", True),
        ("all", "all", "all", False),
    ],
)
def test_every_operator_and_alias(given, name, base, negated):
    value = "2" if given in ("has", "nhas") else "1,2"
    condition = single(f"filter[f][{given}]={value}")
    assert (condition.operator.name, condition.operator.base, condition.operator.negated) == (name, base, negated)
    assert condition.path == ("f",)


def test_the_registry_has_every_name_of_the_spec():
    names = "eq = neq != <> lt < lte <= gt > gte >= in nin null nnull contains ncontains like nlike"
    names += " rlike nrlike between nbetween empty nempty has nhas all"
    assert set(names.split()) == set(OPERATORS)
    assert {op.name for op in OPERATORS.values() if op.to_many_only} == {"has", "nhas", "all"}


@pytest.mark.parametrize(
    ("query_string", "value"),
    [
        ("filter[f][eq]=x", "x"),
        ("filter[f]=x", "x"),  # shorthand for eq
        ("filter[f][eq]=", ""),
        ("filter[f][eq]= spaced ", " spaced "),
        ("filter[f][contains]=a%25b_", "a%b_"),
        ("filter[f][rlike]=a%25", "a%"),
        ("filter[f][in]=1,2,3", ("1", "2", "3")),
        ("filter[f][in]=1, 2 ,3", ("1", "2", "3")),
        ("filter[f][in][]=1&filter[f][in][]=2", ("1", "2")),
        ("filter[f][in][0]=a&filter[f][in][1]=b,c", ("a", "b,c")),  # array items are not split
        ("filter[f][in][1]=b&filter[f][in][0]=a", ("a", "b")),  # indexed: index order
        ("filter[f][nin]=x", ("x",)),
        ("filter[f][in]=", ()),
        ("filter[f][all]=4,5", ("4", "5")),
        ("filter[f][between]=1,5", ("1", "5")),
        ("filter[f][between]=1,3,5", ("1", "5")),  # first and last
        ("filter[f][between][]=a&filter[f][between][]=b", ("a", "b")),
        ("filter[f][nbetween]=now,2020-01-01", ("now", "2020-01-01")),
        ("filter[f][null]", None),
        ("filter[f][null]=anything", None),
        ("filter[f][nnull]=1", None),
        ("filter[f][empty]", None),
        ("filter[f][nempty]=x", None),
        ("filter[f][has]=3", 3),
        ("filter[f][has]=0", 0),
        ("filter[f][has]=-1", -1),
        ("filter[f][has]", 1),
        ("filter[f][nhas]= 2 ", 2),
    ],
)
def test_values_are_normalised(query_string, value):
    assert single(query_string).value == value


@pytest.mark.parametrize(
    ("query_string", "ignored"),
    [
        ("filter[f][contains]=", True),
        ("filter[f][like]=", True),
        ("filter[f][ncontains]=", True),
        ("filter[f][nlike]=", True),
        ("filter[f][contains]=0", False),
        ("filter[f][contains]=x", False),
        ("filter[f][rlike]=", False),
        ("filter[f][eq]=", False),
    ],
)
def test_empty_like_values_are_ignored(query_string, ignored):
    assert single(query_string).ignored is ignored


def test_dot_paths():
    condition = single("filter[author.name][eq]=Ann")
    assert condition.path == ("author", "name")
    assert condition.field == "author.name"
    assert single("filter[comments.thread.title][like]=x").path == ("comments", "thread", "title")


@pytest.mark.parametrize("value", [None, "", [], {}])
def test_absent_filter(value):
    assert parse_filter(value) is None


def test_conditions_chain_left_to_right():
    node = parsed("filter[a][eq]=1&filter[b][eq]=2&filter[c][logical]=or&filter[c][eq]=3&filter[d][eq]=4")
    # ((a AND b) OR c) AND d
    assert isinstance(node, Group) and node.logical == "and"
    first, d = node.children
    assert d.path == ("d",)
    assert isinstance(first, Group) and first.logical == "or"
    ab, c = first.children
    assert c.path == ("c",)
    assert isinstance(ab, Group) and ab.logical == "and"
    assert [child.path for child in ab.children] == [("a",), ("b",)]


def test_or_chains_flatten():
    node = parsed("filter[a][eq]=1&filter[b][logical]=or&filter[b][eq]=2&filter[c][logical]=OR&filter[c][eq]=3")
    assert node.logical == "or"
    assert [child.path for child in node.children] == [("a",), ("b",), ("c",)]


def test_logical_other_than_or_means_and():
    node = parsed("filter[a][eq]=1&filter[b][logical]=xor&filter[b][eq]=2")
    assert node.logical == "and"


def test_logical_on_the_first_condition_is_harmless():
    assert isinstance(parsed("filter[a][logical]=or&filter[a][eq]=1"), Condition)


def test_indexed_lists_give_several_conditions_on_one_field():
    node = parsed(
        "filter[title][0][contains]=foo&filter[title][1][logical]=or&filter[title][1][contains]=bar"
        "&filter[title][2]=baz"
    )
    assert node.logical == "and"
    either, baz = node.children
    assert (baz.operator.name, baz.value) == ("eq", "baz")
    assert either.logical == "or"
    assert [c.value for c in either.children] == ["foo", "bar"]


def test_only_the_first_operator_of_an_object_counts():
    condition = single("filter[c][eq]=x&filter[c][like]=y")
    assert (condition.operator.name, condition.value) == ("eq", "x")
    condition = single("filter[c][logical]=or&filter[c][gt]=1&filter[c][lt]=5")
    assert (condition.operator.name, condition.value) == ("gt", "1")


def test_filter_as_a_php_list_uses_index_names():
    # `filter[0][eq]=1` parses as a list: field "0" (unknown once compiled)
    assert single("filter[0][eq]=1").path == ("0",)


@pytest.mark.parametrize(
    ("query_string", "error", "message"),
    [
        ("filter[f][bogus]=1", errors.UnknownFilter, "Unknown filter: bogus"),
        ("filter[f][EQ]=1", errors.UnknownFilter, "Unknown filter: EQ"),
        ("filter[f][%3D%3D]=1", errors.UnknownFilter, "Unknown filter: =="),
        ("filter[f][logical]=or", errors.UnknownFilter, "Unknown filter: "),
        ("filter[f][eq][]=1", errors.InvalidRequest, None),
        ("filter[f][eq][x]=1", errors.InvalidRequest, None),
        ("filter[f][contains][]=1", errors.InvalidRequest, None),
        ("filter[f][in][a][b]=1", errors.InvalidRequest, None),
        ("filter[f][between]=1", errors.InvalidRequest, None),
        ("filter[f][between]=", errors.InvalidRequest, None),
        ("filter[f][has]=x", errors.InvalidRequest, None),
        ("filter[f][has]=1.5", errors.InvalidRequest, None),
        ("filter[f][logical][]=or&filter[f][eq]=1", errors.InvalidRequest, None),
        ("filter=abc", errors.InvalidRequest, None),
    ],
)
def test_bad_filters(query_string, error, message):
    with pytest.raises(error) as caught:
        parsed(query_string)
    if message is not None:
        assert str(caught.value) == message


def test_error_codes():
    with pytest.raises(errors.DirectusError) as caught:
        parsed("filter[f][bogus]=1")
    assert (caught.value.code, caught.value.status_code) == (214, 422)
    with pytest.raises(errors.DirectusError) as caught:
        parsed("filter[f][has]=x")
    assert (caught.value.code, caught.value.status_code) == (4, 422)


@override_settings(DIRECTUS={"MAX_IN_VALUES": 3, "MAX_RELATIONAL_DEPTH": 2})
@pytest.mark.parametrize("operator", ["in", "nin", "all"])
def test_in_lists_are_limited(operator):
    assert single(f"filter[f][{operator}]=1,2,3").value == ("1", "2", "3")
    with pytest.raises(errors.InvalidRequest):
        parsed(f"filter[f][{operator}]=1,2,3,4")
    with pytest.raises(errors.InvalidRequest):
        parsed("&".join(f"filter[f][{operator}][]={i}" for i in range(4)))


def test_in_list_limit_default_boundary():
    values = ",".join(str(i) for i in range(5000))
    assert len(make_condition("f", "in", values).value) == 5000
    with pytest.raises(errors.InvalidRequest):
        make_condition("f", "in", values + ",5000")


@override_settings(DIRECTUS={"MAX_RELATIONAL_DEPTH": 2})
def test_relational_depth_is_limited():
    assert single("filter[a.b.c][eq]=1").path == ("a", "b", "c")
    with pytest.raises(errors.InvalidRequest) as caught:
        parsed("filter[a.b.c.d][eq]=1")
    assert caught.value.code == 4


def test_relational_depth_default_boundary():
    assert len(make_condition(".".join("x" * 11), "eq", "1").path) == 11  # 10 relations crossed
    with pytest.raises(errors.InvalidRequest):
        make_condition(".".join("x" * 12), "eq", "1")


def test_building_trees_in_code():
    a, b, c = (make_condition(name, "eq", "1") for name in "abc")
    assert and_(a) is a
    assert and_(None, None) is None
    assert and_(a, None, b) == Group("and", (a, b))
    assert and_(and_(a, b), c) == Group("and", (a, b, c))
    assert or_(and_(a, b), c) == Group("or", (Group("and", (a, b)), c))
    assert chain([("or", a), ("or", b), (None, c)]) == Group("and", (Group("or", (a, b)), c))
    assert list(walk(or_(and_(a, b), c))) == [a, b, c]
    # values from code (GraphQL): numbers and booleans become strings, lists stay lists
    assert make_condition("f", "eq", 5).value == "5"
    assert make_condition("f", "eq", True).value == "1"
    assert make_condition("f", "in", [1, 2]).value == ("1", "2")
    assert make_condition("f", "between", (1, 2)).value == ("1", "2")
    assert make_condition("f", "has", 2).value == 2
