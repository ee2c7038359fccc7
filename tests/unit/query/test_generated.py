"""Generated query strings through the parser, the query language and the filter compiler, on
every engine: whatever a client sends, the answer is a query or one of the API's own errors, and
a compiled filter runs on the database. Hypothesis draws bracketed names, operators, paths through
relations and values (NUL, huge numbers, dates out of range, odd text) with a fixed seed."""

import contextlib
from urllib.parse import quote

from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core import errors
from apps.core.query.params import parse_params
from apps.core.querystring import parse_query
from apps.schema.compiler import compile_filter, compile_sort

FIELDS = ["title", "views", "price", "rating", "featured", "day", "published_on", "at", "status", "class", "nope"]
PATHS = [*FIELDS, "author.name", "author.age", "comments.body", "tags.tag.name", "comments", "tags", "author"]
OPERATORS = [
    "eq", "neq", "lt", "lte", "gt", "gte", "in", "nin", "null", "nnull", "contains", "ncontains", "like",
    "rlike", "nrlike", "between", "nbetween", "empty", "nempty", "has", "nhas", "all", "=", "<", "!=", "zz", "",
]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["now", "2020-13-45", "2020-02-30 25:61:00", "1,2,3", "a\x00b", "", ",", "9" * 40, "-1", "true"]),
)
NAMES = st.one_of(
    st.builds(lambda path, op: f"filter[{path}][{op}]", st.sampled_from(PATHS), st.sampled_from(OPERATORS)),
    st.builds(lambda path: f"filter[{path}]", st.sampled_from(PATHS)),
    st.builds(lambda op: f"filter[or][0][title][{op}]", st.sampled_from(OPERATORS)),
    st.sampled_from(["limit", "offset", "page", "sort", "fields", "meta", "q", "status", "single", "", "0", "filter"]),
    st.text(alphabet="[]abc0_.-", max_size=10),
)
QUERY_STRINGS = st.lists(st.tuples(NAMES, VALUES), max_size=6).map(
    lambda pairs: "&".join(f"{quote(name, safe='[]')}={quote(value)}" for name, value in pairs)
)
GENERATED = settings(max_examples=150, derandomize=True, deadline=None, database=None,
                     suppress_health_check=list(HealthCheck))  # fmt: skip


@GENERATED
@given(query_string=QUERY_STRINGS)
def test_any_query_string_parses_to_a_query_or_an_api_error(query_string):
    with contextlib.suppress(errors.DirectusError):
        parse_params(parse_query(QueryDict(query_string)))


def test_any_filter_compiles_and_runs_or_is_an_api_error(qdb):
    collection, model = qdb.collection("qt_articles"), qdb.model("qt_articles")

    @GENERATED
    @given(query_string=QUERY_STRINGS)
    def check(query_string):
        try:
            query = parse_params(parse_query(QueryDict(query_string)))
            q = compile_filter(query.filter, collection, qdb)
            order = compile_sort(query.sort, collection)
        except errors.DirectusError:
            return
        with transaction.atomic(using=qdb.alias):  # a failed statement must not spoil the next
            list(model.objects.filter(q).order_by(*order).values_list("pk", flat=True)[:5])

    check()
