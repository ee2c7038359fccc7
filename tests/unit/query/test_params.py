"""All list parameters (apps.core.query.params) parsed into a Query. No database."""

import pytest
from django.http import QueryDict
from django.test import override_settings

from apps.core import errors
from apps.core.query.filters import Condition
from apps.core.query.params import (
    ALL,
    META_KEYS,
    Query,
    SortItem,
    Window,
    check_result_size,
    parse_params,
    parse_single,
)
from apps.core.querystring import parse_query


def params(query_string: str) -> Query:
    return parse_params(parse_query(QueryDict(query_string)))


def test_nothing_given():
    query = params("")
    assert query.fields.wildcard and not query.fields.named
    assert query.filter is None
    assert query.sort == ()
    assert (query.limit, query.offset, query.page, query.single) == (None, None, None, False)
    assert query.meta == frozenset()
    assert (query.q, query.status, query.lang) == (None, None, None)


def test_everything_given():
    query = params(
        "fields=id,author.name&filter[title][eq]=x&sort=-id&limit=5&offset=2&page=3&single=1"
        "&meta=total_count&q=hi&status=draft&lang=en-US"
    )
    assert query.fields.explicit_names == ["id", "author"]
    assert isinstance(query.filter, Condition)
    assert query.sort == (SortItem("id", True),)
    assert (query.limit, query.offset, query.page, query.single) == (5, 2, 3, True)
    assert query.meta == {"total_count"}
    assert (query.q, query.status, query.lang) == ("hi", ("draft",), ("en-US",))


# sort ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("sort=name", (SortItem("name"),)),
        ("sort=-name", (SortItem("name", True),)),
        ("sort=name,-age,?", (SortItem("name"), SortItem("age", True), SortItem("?"))),
        ("sort[]=name&sort[]=-age", (SortItem("name"), SortItem("age", True))),
        ("sort= name , ,-age,", (SortItem("name"), SortItem("age", True))),
        ("sort=-?", (SortItem("?"),)),
        ("sort=-", ()),
        ("sort=", ()),
        ("sort=author.name", (SortItem("author.name"),)),  # refused when compiled (top level only)
    ],
)
def test_sort(query_string, expected):
    assert params(query_string).sort == expected


def test_random_sort_item():
    assert SortItem("?").random and not SortItem("name").random


# limit / offset / page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query_string", "limit", "offset", "page"),
    [
        ("limit=10", 10, None, None),
        ("limit=-1", -1, None, None),
        ("limit=0", 0, None, None),
        ("limit= 7 ", 7, None, None),
        ("limit=+7", 7, None, None),
        ("limit=", None, None, None),
        ("offset=5", None, 5, None),
        ("offset=-5", None, -5, None),
        ("page=2", None, None, 2),
        ("limit=200000", 200000, None, None),  # allowed: the cap applies to the result
    ],
)
def test_numbers(query_string, limit, offset, page):
    query = params(query_string)
    assert (query.limit, query.offset, query.page) == (limit, offset, page)


@pytest.mark.parametrize(
    "query_string",
    [
        "limit=abc",
        "limit=1.5",
        "limit=1e3",
        "limit=1_000",
        "limit=0x10",
        "limit=-2",
        "limit[]=1",
        "offset=x",
        "offset=1.0",
        "offset[a]=1",
        "page=one",
        "page=99999999999999999999999",
        "offset=99999999999999999999999",
    ],
)
def test_bad_numbers(query_string):
    with pytest.raises(errors.InvalidRequest) as caught:
        params(query_string)
    assert (caught.value.code, caught.value.status_code) == (4, 422)


@pytest.mark.parametrize(
    ("query_string", "default_limit", "window"),
    [
        ("", None, Window(20, 0)),
        ("", 200, Window(200, 0)),
        ("", 0, Window(20, 0)),
        ("limit=5", 200, Window(5, 0)),
        ("limit=5&offset=10", 200, Window(5, 10)),
        ("limit=5&page=3", 200, Window(5, 10)),
        ("limit=5&page=1", 200, Window(5, 0)),
        ("limit=5&page=0", 200, Window(5, 0)),
        ("limit=5&page=3&offset=1", 200, Window(5, 1)),  # page ignored with offset
        ("page=3", 200, Window(200, 0)),  # page ignored without an explicit limit
        ("limit=-1", 200, Window(None, 0)),
        ("limit=-1&offset=10", 200, Window(None, 0)),  # offset ignored without a limit
        ("limit=-1&page=2", 200, Window(None, 0)),
        ("limit=0", 200, Window(0, 0)),
        ("offset=-5", 200, Window(200, 0)),
        ("offset=7", None, Window(20, 7)),
        ("single=1", 200, Window(1, 0)),
        ("single=1&limit=50", 200, Window(1, 0)),
        ("single=1&page=3", 200, Window(1, 2)),
        ("", -1, Window(None, 0)),
    ],
)
def test_window(query_string, default_limit, window):
    assert params(query_string).window(default_limit) == window


@pytest.mark.parametrize(
    ("window", "cap", "bounds"),
    [
        (Window(None, 0), 100, (0, 101)),
        (Window(10, 5), 100, (5, 15)),
        (Window(500, 5), 100, (5, 106)),
        (Window(0, 5), 100, (5, 5)),
    ],
)
def test_window_bounds_read_one_row_past_the_cap(window, cap, bounds):
    assert window.bounds(cap) == bounds


def test_window_bounds():
    assert Window(3, 2).bounds(cap=5) == (2, 5)
    assert Window(3, 2).bounds(cap=1) == (2, 4)  # at most cap + 1 rows: an oversized result shows
    assert Window(None).bounds(cap=10) == (0, 11)
    assert Window(100).bounds(cap=9) == (0, 10)
    assert Window(0, 3).bounds(cap=5) == (3, 3)


@override_settings(DIRECTUS={"MAX_RESULT_ROWS": 4})
def test_result_cap_boundary_from_the_setting():
    check_result_size(4)
    with pytest.raises(errors.UnprocessableEntity) as caught:
        check_result_size(5)
    assert caught.value.code == 12
    assert Window(None).bounds() == (0, 5)


# single / meta / q / status / lang -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("2", True),
        ("0", False),
        ("false", False),
        ("", False),
        ("yes", False),
        (None, False),
        (["1"], False),
    ],
)
def test_single(value, expected):
    assert parse_single(value) is expected


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("meta=*", set(META_KEYS)),
        ("meta=total_count,result_count", {"total_count", "result_count"}),
        ("meta[]=collection&meta[]=type", {"collection", "type"}),
        ("meta=status", {"status_count"}),
        ("meta=status_count", {"status_count"}),
        ("meta=page,filter_count", {"page", "filter_count"}),
        ("meta=nonsense,type", {"type"}),
        ("meta=", set()),
        ("meta=type,*", set(META_KEYS)),
    ],
)
def test_meta(query_string, expected):
    assert params(query_string).meta == expected


def test_q():
    assert params("q=hello world").q == "hello world"
    assert params("q=").q is None
    with pytest.raises(errors.InvalidRequest):
        params("q[]=x")


@pytest.mark.parametrize("name", ["status", "lang"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a", ("a",)),
        ("a,b", ("a", "b")),
        ("a, b,,a", ("a", "b")),
        ("*", ALL),
        ("a,*", ALL),
        ("", None),
    ],
)
def test_status_and_lang(name, value, expected):
    assert getattr(params(f"{name}={value}"), name) == expected


def test_status_as_array():
    assert params("status[]=draft&status[]=published").status == ("draft", "published")
    with pytest.raises(errors.InvalidRequest):
        params("status[x]=draft")


# fields --------------------------------------------------------------------------------------------


@override_settings(DIRECTUS={"MAX_RELATIONAL_DEPTH": 2})
def test_fields_depth_is_limited():
    assert params("fields=*.*.*").fields.depth() == 2
    assert params("fields=a.b.c").fields.depth() == 2
    for value in ("*.*.*.*", "a.b.c.d"):
        with pytest.raises(errors.InvalidRequest) as caught:
            params(f"fields={value}")
        assert caught.value.code == 4


def test_fields_depth_default_boundary():
    assert params("fields=" + ".".join(["*"] * 11)).fields.depth() == 10
    with pytest.raises(errors.InvalidRequest):
        params("fields=" + ".".join(["*"] * 12))


def test_filter_errors_surface_through_parse_params():
    with pytest.raises(errors.UnknownFilter):
        params("filter[a][nope]=1")
