"""Compiled filters, sorts and searches run on real run-time models on every engine (the schema
and rows of conftest.py): each case asserts the exact ids returned."""

import datetime

import pytest
from django.db.models import Q
from django.db.models.functions import Random
from django.http import QueryDict

from apps.core import errors
from apps.core.query.fields import parse_fields
from apps.core.query.filters import and_, make_condition, or_
from apps.core.query.params import Query, SortItem, check_result_size, parse_params
from apps.core.querystring import parse_query
from apps.schema.compiler import check_fields, compile_filter, compile_search, compile_sort

NOW = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)


def params(query_string: str):
    return parse_params(parse_query(QueryDict(query_string)))


def ids(schema, query_string: str, collection: str = "qt_articles", **options) -> list:
    q = compile_filter(params(query_string).filter, schema.collection(collection), schema, **options)
    return sorted(schema.model(collection).objects.filter(q).values_list("pk", flat=True))


def node_ids(schema, node, collection: str = "qt_articles") -> list:
    q = compile_filter(node, schema.collection(collection), schema, now=NOW)
    return sorted(schema.model(collection).objects.filter(q).values_list("pk", flat=True))


COLUMN_CASES = [
    # eq / neq and aliases; neq never matches NULL (SQL `!=`)
    ("filter[title][eq]=Zebra", [5]),
    ("filter[title]=Zebra", [5]),
    ("filter[title][%3D]=Zebra", [5]),
    ("filter[views][neq]=10", [2, 4, 5]),
    ("filter[views][!%3D]=10", [2, 4, 5]),
    ("filter[views][<>]=10", [2, 4, 5]),
    ("filter[class][neq]=x", [2, 5]),
    # comparisons
    ("filter[views][lt]=42", [1, 2]),
    ("filter[views][<]=42", [1, 2]),
    ("filter[views][lte]=42", [1, 2, 5]),
    ("filter[views][<%3D]=42", [1, 2, 5]),
    ("filter[views][gt]=10", [4, 5]),
    ("filter[views][>]=10", [4, 5]),
    ("filter[views][gte]=10", [1, 4, 5]),
    ("filter[views][>%3D]=10", [1, 4, 5]),
    ("filter[views][gt]=9999999999", []),  # beyond INT: no database error
    ("filter[views][gte]=-3", [1, 2, 4, 5]),
    ("filter[price][gt]=9.99", [2, 5]),
    ("filter[price][lte]=9.99", [1, 4]),
    ("filter[rating][gte]=3", [1, 2]),
    ("filter[featured][eq]=1", [1, 3, 5]),
    ("filter[featured][eq]=true", [1, 3, 5]),
    ("filter[featured][eq]=false", [2, 4]),
    ("filter[featured][eq]=0", [2, 4]),
    ("filter[at][gt]=12:00:00", [4, 5]),
    ("filter[class][eq]=x", [1, 3]),
    ("filter[status][eq]=published", [1, 3, 5]),
    # in / nin: CSV or array; nin never matches NULL
    ("filter[id][in]=1,3,9", [1, 3]),
    ("filter[id][in][]=1&filter[id][in][]=3", [1, 3]),
    ("filter[id][in]= 2 , 4", [2, 4]),
    ("filter[class][in]=x,z", [1, 3, 5]),
    ("filter[class][nin]=x", [2, 5]),
    ("filter[views][nin]=0,10", [4, 5]),
    ("filter[id][in]=", []),
    ("filter[id][nin]=", [1, 2, 3, 4, 5]),
    # null / nnull (value ignored)
    ("filter[views][null]", [3]),
    ("filter[body][null]=whatever", [3]),
    ("filter[views][nnull]", [1, 2, 4, 5]),
    ("filter[author][null]=", [4]),
    # contains / like: case-insensitive, % and _ are literal
    ("filter[title][contains]=hello", [1, 4]),
    ("filter[title][like]=HELLO", [1, 4]),
    ("filter[title][contains]=%", [2]),
    ("filter[title][contains]=_", [3]),
    ("filter[title][contains]=0", [2]),  # "0" is numeric: not ignored
    ("filter[views][contains]=5", [4]),  # numeric columns searched as text
    ("filter[title][ncontains]=hello", [2, 3, 5]),
    ("filter[title][nlike]=hello", [2, 3, 5]),
    ("filter[body][ncontains]=post", [2, 5]),  # NULL body excluded, '' included
    # empty value: the like family adds no condition
    ("filter[title][contains]=", [1, 2, 3, 4, 5]),
    ("filter[title][nlike]=", [1, 2, 3, 4, 5]),
    ("filter[id][eq]=1&filter[title][logical]=or&filter[title][like]=", [1]),
    # rlike / nrlike: the pattern as given
    ("filter[title][rlike]=hello%", [1, 4]),
    ("filter[title][rlike]=_ebra", [5]),
    ("filter[title][rlike]=%25 pure", [2]),
    ("filter[title][nrlike]=hello%", [2, 3, 5]),
    ("filter[body][nrlike]=%post", [2, 5]),
    # between / nbetween: CSV or array, first and last; nbetween never matches NULL
    ("filter[views][between]=10,42", [1, 5]),
    ("filter[views][between][]=10&filter[views][between][]=0&filter[views][between][]=42", [1, 5]),
    ("filter[views][nbetween]=10,42", [2, 4]),
    ("filter[price][between]=5,10", [1, 4]),
    ("filter[day][between]=2020-01-01,2020-12-31", [1, 2]),
    # empty / nempty: NULL or '' on strings, NULL elsewhere
    ("filter[body][empty]", [2, 3]),
    ("filter[body][nempty]", [1, 4, 5]),
    ("filter[views][empty]=1", [3]),
    ("filter[views][nempty]", [1, 2, 4, 5]),
    # dates, datetimes and `now` (NOW is 2024-05-01 12:00 UTC)
    ("filter[day][lt]=2021-01-01", [1, 2]),
    ("filter[day][gt]=now", [5]),
    ("filter[day][lt]=NOW", [1, 2, 4]),
    ("filter[published_on][gte]=2020-06-15 12:30:00", [2, 4, 5]),
    ("filter[published_on][gt]=2020-06-15", [2, 4, 5]),
    ("filter[published_on][eq]=2021-03-03 08:00:00", [4]),
    ("filter[published_on][lt]=now", [1, 2, 4]),
    ("filter[published_on][between]=2020-01-01,now", [1, 2, 4]),
    ("filter[day][in]=now,2020-06-15", [2]),
    ("filter[title][eq]=now", []),  # `now` is only special for date types
]


@pytest.mark.parametrize(("query_string", "expected"), COLUMN_CASES)
def test_column_operators(qdb, query_string, expected):
    assert ids(qdb, query_string, now=NOW) == expected


RELATIONAL_CASES = [
    # M2O: raw key, dot paths, and the like family on the field itself
    ("filter[author][eq]=1", [1, 3]),
    ("filter[author.name][eq]=Ann", [1, 3]),
    ("filter[author.name][contains]=o", [2, 5]),
    ("filter[author.age][null]", [2, 5]),  # a row without author has no related row at all
    ("filter[author.age][gt]=40", []),
    ("filter[author][like]=example.com", [1, 3]),
    ("filter[author][contains]=BOB", [2, 5]),
    ("filter[author][like]=30", [1, 3]),  # integer columns of the related row are searched
    ("filter[author][nlike]=bob", [1, 3]),
    ("filter[author][rlike]=b_b", [2, 5]),
    ("filter[editor.email][eq]=admin@example.com", [1]),
    ("filter[editor][like]=admin@example", [1]),
    # M2O then O2M
    ("filter[author.books.title][eq]=Zebra", [2, 5]),
    # O2M: any related row
    ("filter[comments.body][contains]=great", [1, 4]),
    ("filter[comments.author.name][eq]=Cy", [2]),
    ("filter[comments.id][in]=3,5", [2, 4]),
    ("filter[translations.lang][eq]=nl-NL", [1]),
    # has / nhas / empty / nempty / all on O2M
    ("filter[comments][has]=2", [1]),
    ("filter[comments][has]=1", [1, 2, 4]),
    ("filter[comments][has]", [1, 2, 4]),
    ("filter[comments][has]=0", [3, 5]),
    ("filter[comments][nhas]=2", [2, 3, 4, 5]),
    ("filter[comments][nhas]=0", [1, 2, 4]),
    ("filter[comments][empty]", [3, 5]),
    ("filter[comments][nempty]", [1, 2, 4]),
    ("filter[comments][null]", [3, 5]),
    ("filter[comments][all]=1,2", [1]),
    ("filter[comments][all][]=1&filter[comments][all][]=2", [1]),
    ("filter[comments][all]=1,3", []),
    ("filter[comments][all]=5", [4]),
    ("filter[comments][like]=", [1, 2, 3, 4, 5]),
    ("filter[translations][has]=1", [1, 2]),
    # M2M: through the junction (tags.tag is the junction's M2O to qt_tags)
    ("filter[tags.tag.name][eq]=news", [1, 4]),
    ("filter[tags.tag.name][in]=tech,life", [1, 2, 4]),
    ("filter[tags.tag][eq]=3", [4]),
    ("filter[tags][has]=2", [1, 4]),
    ("filter[tags][has]=3", [4]),
    ("filter[tags][empty]", [3, 5]),
    ("filter[tags][nempty]", [1, 2, 4]),
    ("filter[tags][all]=1,2", [1, 4]),  # far-side (qt_tags) ids
    ("filter[tags][all]=1,2,3", [4]),
    ("filter[tags][all]=2", [1, 2, 4]),
    ("filter[tags][all]=", [1, 2, 3, 4, 5]),
]


@pytest.mark.parametrize(("query_string", "expected"), RELATIONAL_CASES)
def test_relational_paths(qdb, query_string, expected):
    assert ids(qdb, query_string) == expected


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("filter[books][has]=1", [1, 2]),
        ("filter[books][empty]", [3]),
        ("filter[books.title][eq]=Zebra", [2]),
        ("filter[books.comments.body][eq]=meh", [2]),
        ("filter[books.tags.tag.name][eq]=life", []),  # article 4 has no author
        ("filter[books.tags.tag.name][eq]=news", [1]),
    ],
)
def test_relational_paths_from_the_one_side(qdb, query_string, expected):
    assert ids(qdb, query_string, "qt_authors") == expected


LOGIC_CASES = [
    ("filter[id][eq]=1&filter[views][logical]=or&filter[views][eq]=42", [1, 5]),
    ("filter[id][eq]=1&filter[views][eq]=42", []),
    ("filter[featured][eq]=1&filter[views][gt]=10", [5]),
    # left to right: ((id = 1 OR title ~ hello) AND views > 100)
    ("filter[id][eq]=1&filter[title][logical]=or&filter[title][contains]=hello&filter[views][gt]=100", [4]),
    # several conditions on one field: an indexed list
    ("filter[title][0][contains]=zebra&filter[title][1][logical]=or&filter[title][1][contains]=snake", [3, 5]),
    ("filter[views][0][gt]=5&filter[views][1][lt]=100", [1, 5]),
    # a plain object: only its first operator counts
    ("filter[views][gt]=10&filter[views][lt]=100", [4, 5]),
    # OR with dot filters
    ("filter[author.name][eq]=Ann&filter[comments.body][logical]=or&filter[comments.body][contains]=meh", [1, 2, 3]),
    ("filter[tags][has]=3&filter[comments][logical]=or&filter[comments][has]=2", [1, 4]),
    # logical on the first condition has nothing to OR with
    ("filter[id][logical]=or&filter[id][eq]=2&filter[views][eq]=0", [2]),
]


@pytest.mark.parametrize(("query_string", "expected"), LOGIC_CASES)
def test_and_or_chaining(qdb, query_string, expected):
    assert ids(qdb, query_string) == expected


def test_nested_groups(qdb):
    def c(field, op, value=None):
        return make_condition(field, op, value)

    # (views > 40 AND featured) OR (title ~ hello AND NOT featured)
    tree = or_(
        and_(c("views", "gt", "40"), c("featured", "eq", "1")),
        and_(c("title", "contains", "hello"), c("featured", "eq", "0")),
    )
    assert node_ids(qdb, tree) == [4, 5]
    # (id in 1,2,3) AND (views is null OR author.name = Bob)
    tree = and_(c("id", "in", "1,2,3"), or_(c("views", "null"), c("author.name", "eq", "Bob")))
    assert node_ids(qdb, tree) == [2, 3]
    # An ignored condition disappears from its group
    assert node_ids(qdb, or_(c("id", "eq", "2"), c("title", "like", ""))) == [2]
    assert compile_filter(None, qdb.collection("qt_articles"), qdb) == Q()


@pytest.mark.parametrize(
    ("query_string", "error", "message"),
    [
        ("filter[nope][eq]=1", errors.InvalidField, 'Invalid field "nope" in "qt_articles"'),
        ("filter[title.x][eq]=1", errors.FieldNotFound, 'Unable to find field "title"'),
        ("filter[nope.x][eq]=1", errors.FieldNotFound, 'Unable to find field "nope"'),
        ("filter[author.nope][eq]=1", errors.InvalidField, 'Invalid field "nope" in "qt_authors"'),
        ("filter[tags.name][eq]=news", errors.InvalidField, 'Invalid field "name" in "qt_articles_tags"'),
        ("filter[title][has]=1", errors.UnprocessableEntity, 'Operator "has" only works for one-to-many fields'),
        ("filter[author][nhas]=1", errors.UnprocessableEntity, 'Operator "nhas" only works for one-to-many fields'),
        ("filter[author][all]=1", errors.UnprocessableEntity, 'Operator "all" only works for one-to-many fields'),
        ("filter[divider][eq]=1", errors.UnprocessableEntity, None),
        ("filter[divider][has]=1", errors.UnprocessableEntity, None),
        ("filter[comments][eq]=1", errors.UnprocessableEntity, None),
        ("filter[views][eq]=abc", errors.InvalidRequest, 'views: "abc" is not a valid integer value'),
        ("filter[views][eq]=1.5", errors.InvalidRequest, None),
        ("filter[views][eq]=", errors.InvalidRequest, None),
        ("filter[views][eq]=99999999999999999999", errors.InvalidRequest, None),
        ("filter[views][in]=1,x", errors.InvalidRequest, None),
        ("filter[views][between]=1,x", errors.InvalidRequest, None),
        ("filter[price][eq]=abc", errors.InvalidRequest, None),
        ("filter[price][eq]=NaN", errors.InvalidRequest, None),
        ("filter[rating][eq]=inf", errors.InvalidRequest, None),
        ("filter[featured][eq]=maybe", errors.InvalidRequest, None),
        ("filter[day][eq]=2020-13-01", errors.InvalidRequest, None),
        ("filter[published_on][eq]=yesterday", errors.InvalidRequest, None),
        ("filter[at][eq]=25:00", errors.InvalidRequest, None),
        ("filter[author][eq]=ann", errors.InvalidRequest, None),
        ("filter[author.age][gt]=old", errors.InvalidRequest, None),
        ("filter[comments][all]=a", errors.InvalidRequest, None),
        ("filter[tags][all]=x", errors.InvalidRequest, None),
    ],
)
def test_filter_errors(qdb, query_string, error, message):
    with pytest.raises(error) as caught:
        ids(qdb, query_string)
    if message is not None:
        assert str(caught.value) == message


def test_errors_carry_the_directus_codes(qdb):
    cases = [
        ("filter[nope][eq]=1", 202, 422),
        ("filter[title.x][eq]=1", 202, 404),
        ("filter[title][has]=1", 12, 422),
        ("filter[views][eq]=abc", 4, 422),
    ]
    for query_string, code, status in cases:
        with pytest.raises(errors.DirectusError) as caught:
            ids(qdb, query_string)
        assert (caught.value.code, caught.value.status_code) == (code, status), query_string


# Permissions -----------------------------------------------------------------------------------


def test_filtering_on_unreadable_fields_is_denied(qdb):
    readable = {"id", "title", "author", "comments"}
    assert ids(qdb, "filter[title][contains]=hello", readable=readable) == [1, 4]
    # related collections are not restricted by a plain set
    assert ids(qdb, "filter[author.email][contains]=test", readable=readable) == [2, 5]
    for query_string in ("filter[views][gt]=1", "filter[tags][has]=1", "filter[views][logical]=or&filter[views][eq]=1"):
        with pytest.raises(errors.ReadFieldDenied):
            ids(qdb, query_string, readable=readable)

    per_collection = {"qt_articles": readable, "qt_authors": {"id", "name"}}
    assert ids(qdb, "filter[author.name][eq]=Bob", readable=per_collection) == [2, 5]
    with pytest.raises(errors.ReadFieldDenied):
        ids(qdb, "filter[author.email][eq]=x", readable=per_collection)
    with pytest.raises(errors.RelatedDataDenied):  # qt_comments is not readable at all
        ids(qdb, "filter[comments.body][eq]=x", readable=per_collection)
    # the like family on an M2O searches only the related fields the caller may read
    assert ids(qdb, "filter[author][like]=example", readable=per_collection) == []
    assert ids(qdb, "filter[author][like]=ann", readable=per_collection) == [1, 3]


# Sort ------------------------------------------------------------------------------------------


def sorted_ids(schema, items, *, nulls_last=True, collection="qt_articles", **options) -> list:
    info = schema.collection(collection)
    order = compile_sort(items, info, nulls_last=nulls_last, **options)
    return list(schema.model(collection).objects.order_by(*order).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("sort", "nulls_last", "expected"),
    [
        ("views", True, [2, 1, 5, 4, 3]),
        ("-views", True, [4, 5, 1, 2, 3]),
        ("views", False, [3, 2, 1, 5, 4]),
        ("-views", False, [4, 5, 1, 2, 3]),
        ("class,-id", True, [3, 1, 2, 5, 4]),
        ("class,-id", False, [4, 3, 1, 2, 5]),
        ("-featured,views", True, [1, 5, 3, 2, 4]),
        ("price", True, [4, 1, 2, 5, 3]),
        ("-published_on", True, [5, 4, 2, 1, 3]),
        ("-id", True, [5, 4, 3, 2, 1]),
        ("status", True, [4, 2, 1, 3, 5]),  # the primary key breaks ties
        ("", True, [2, 4, 1, 3, 5]),  # default: the `sort` field, NULLs last, then the key
        ("", False, [3, 5, 2, 4, 1]),
    ],
)
def test_sort(qdb, sort, nulls_last, expected):
    assert sorted_ids(qdb, params(f"sort={sort}").sort, nulls_last=nulls_last) == expected


def test_default_sort_without_a_sort_field_is_the_primary_key(qdb):
    assert sorted_ids(qdb, (), collection="qt_comments") == [1, 2, 3, 4, 5]
    assert sorted_ids(qdb, params("sort=-article").sort, collection="qt_comments") == [5, 3, 1, 2, 4]


def test_random_sort(qdb):
    order = compile_sort(params("sort=?").sort, qdb.collection("qt_articles"))
    assert isinstance(order[0], Random)
    seen = {tuple(sorted_ids(qdb, params("sort=?").sort)) for _ in range(25)}
    assert all(sorted(ids_) == [1, 2, 3, 4, 5] for ids_ in seen)
    assert len(seen) > 1


@pytest.mark.parametrize(
    ("sort", "error", "code"),
    [
        ("nope", errors.InvalidField, 202),
        ("-nope", errors.InvalidField, 202),
        ("author.name", errors.InvalidField, 202),
        ("comments", errors.UnprocessableEntity, 12),
        ("divider", errors.UnprocessableEntity, 12),
        ("views", errors.ReadFieldDenied, 304),
    ],
)
def test_sort_errors(qdb, sort, error, code):
    with pytest.raises(error) as caught:
        readable = {"id", "title", "comments", "divider"}
        compile_sort(params(f"sort={sort}").sort, qdb.collection("qt_articles"), readable=readable)
    assert caught.value.code == code


def test_sort_by_an_odd_column_name_uses_its_attname(qdb):
    info = qdb.collection("qt_articles")
    assert info.fields["class"].attname != "class"
    assert sorted_ids(qdb, (SortItem("class", True), SortItem("id"))) == [5, 2, 1, 3, 4]


# q -----------------------------------------------------------------------------------------------


def searched(schema, q, fields=None, collection="qt_articles") -> list:
    condition = compile_search(q, schema.collection(collection), fields)
    return sorted(schema.model(collection).objects.filter(condition).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("q", "fields", "expected"),
    [
        ("hello", None, [1, 4]),
        ("HELLO", None, [1, 4]),
        ("post", None, [1, 4]),
        ("250", None, [4]),  # integer field
        ("9.99", None, [1]),  # decimal field
        ("%", None, [2]),
        ("_", None, [3]),
        ("2020", None, []),  # dates are not searched
        ("post", ["id", "title"], []),  # only the fields given
        ("post", ["body"], [1, 4]),
        ("hello", [], []),
        ("", None, [1, 2, 3, 4, 5]),
        (None, None, [1, 2, 3, 4, 5]),
    ],
)
def test_search(qdb, q, fields, expected):
    assert searched(qdb, q, fields) == expected


def test_search_and_filter_combine(qdb):
    query = params("q=hello&filter[views][gt]=100")
    info = qdb.collection("qt_articles")
    condition = compile_filter(query.filter, info, qdb) & compile_search(query.q, info)
    assert list(qdb.model("qt_articles").objects.filter(condition).values_list("pk", flat=True)) == [4]


# fields ----------------------------------------------------------------------------------------


def test_check_fields(qdb):
    info = qdb.collection("qt_articles")
    check_fields(parse_fields("*,author.*,comments.nope,-nothing"), info)
    check_fields(parse_fields("id,title"), info, readable={"id", "title"})
    check_fields(parse_fields("id,data"), info, computed=["data"])
    with pytest.raises(errors.InvalidField) as caught:
        check_fields(parse_fields("id,nope"), info)
    assert str(caught.value) == 'Invalid field "nope" in "qt_articles"'
    with pytest.raises(errors.ReadFieldDenied):
        check_fields(parse_fields("id,views"), info, readable={"id", "title"})


# The window --------------------------------------------------------------------------------------


def fetch(window, rows: list, cap: int | None = None) -> list:
    """What the reader does with a window: slice, then refuse more than the cap."""
    start, stop = window.bounds(cap)
    got = rows[start:stop] if stop > start else []
    check_result_size(len(got), cap)
    return got


def test_window_bounds_and_the_result_cap():
    rows = [1, 2, 3, 4, 5]
    assert fetch(params("limit=-1").window(), rows, cap=5) == [1, 2, 3, 4, 5]
    with pytest.raises(errors.UnprocessableEntity):
        fetch(params("limit=-1").window(), rows, cap=4)
    with pytest.raises(errors.UnprocessableEntity):
        fetch(params("limit=10").window(), rows, cap=4)
    assert fetch(params("limit=10&offset=2").window(), rows, cap=4) == [3, 4, 5]
    assert fetch(params("limit=2&page=2").window(), rows, cap=4) == [3, 4]
    assert fetch(params("limit=0").window(), rows, cap=4) == []
    assert fetch(Query(single=True).window(), rows) == [1]
    assert fetch(params("").window(default_limit=3), rows) == [1, 2, 3]
