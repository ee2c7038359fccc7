"""The GraphQL limits of deviations.md (depth 10, 50 aliases, 5,000 tokens, 10 operations), each
at N (accepted) and N + 1 (refused with a GraphQL error, 400, before anything executes)."""

import pytest
from graphql import get_introspection_query
from graphql.language import Lexer, Source, TokenKind

from apps.activity.models import Activity
from tests.graphql.conftest import data_of
from tests.helpers import graphql_error

pytestmark = pytest.mark.engines("sqlite")  # the limits are checked before any SQL runs


def refused(response, words: str) -> str:
    message = graphql_error(response, 400, 4)["message"]
    assert words in message, message
    assert "data" not in response.json()
    return message


def deep(levels: int) -> str:
    """`{ articles { data { author { articles { author ... } } } } }`, `levels` fields deep."""
    names = ["articles", "data"]
    while len(names) < levels - 1:
        names.append("articles" if names[-1] == "author" else "author")
    leaf = "name" if names[-1] == "author" else "id"
    return "{ " + " { ".join(names) + " { " + leaf + " }" * len(names) + " }"


def test_depth(blog, gql):
    assert data_of(gql(deep(10))) == {"articles": {"data": []}}
    assert refused(gql(deep(11)), "11 fields deep") == "The operation is 11 fields deep; at most 10 are allowed."
    # Fragments count where they are spread; introspection (deeper than 10) is not limited.
    inner = "author { articles { author { articles { author { articles { author { articles { id } } } } } } } }"
    query = "query Deep { articles { data { ...A } } } fragment A on ArticlesItem { " + inner + " }"
    assert refused(gql(query), 'Operation "Deep" is 11 fields deep')
    assert data_of(gql(get_introspection_query()))["__schema"]["queryType"]["name"] == "Query"


def test_aliases(blog, gql):
    def aliased(count: int) -> str:
        return "{ articles { data { " + " ".join(f"a{i}: id" for i in range(count)) + " } } }"

    assert data_of(gql(aliased(50))) == {"articles": {"data": []}}
    refused(gql(aliased(51)), "uses 51 aliases; at most 50 are allowed")
    # Aliases inside a fragment count each time it is spread: 2 + 2 * 24 = 50, then 52.
    for size, ok in ((24, True), (25, False)):
        fragment = "fragment F on ArticlesItem { " + " ".join(f"f{i}: title" for i in range(size)) + " }"
        response = gql("{ x: articles { data { ...F } } y: articles { data { ...F } } } " + fragment)
        assert (response.status_code == 200) is ok, response.content


def tokens(query: str) -> int:
    lexer, count = Lexer(Source(query)), 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def sized(total: int) -> str:
    """A valid document of exactly `total` tokens: empty filter objects (two tokens each) fill it."""
    head, tail = "{ articles(filter: {and: [", "]}) { meta { result_count } } }"
    room = total - tokens(head + tail)
    filler = "{} " * (room // 2) + ("" if room % 2 == 0 else "]}) { meta { result_count __typename } } }")
    query = head + filler + (tail if room % 2 == 0 else "")
    assert tokens(query) == total
    return query


def test_tokens(blog, gql):
    assert data_of(gql(sized(5000)))["articles"]["meta"]["result_count"] == 0
    refused(gql(sized(5001)), "more than 5000 tokens")
    # Comments are not tokens.
    assert data_of(gql("# hello\n" * 6000 + "{ articles { meta { result_count } } }"))


def test_operations(blog, gql):
    def document(count: int) -> str:
        return " ".join(f"query Q{i} {{ articles {{ meta {{ result_count }} }} }}" for i in range(count))

    assert data_of(gql(document(10), operation="Q3")) == {"articles": {"meta": {"result_count": 0}}}
    refused(gql(document(11), operation="Q3"), "has 11 operations; at most 10 are allowed")


def test_limits_refuse_before_anything_runs(blog, gql):
    before = Activity.objects.count()
    document = 'mutation { create_tags_item(data: {name: "x"}) { ' + " ".join(f"a{i}: id" for i in range(51)) + " } }"
    refused(gql(document), "51 aliases")
    assert Activity.objects.count() == before
    assert data_of(gql("{ tags { meta { total_count } } }")) == {"tags": {"meta": {"total_count": 0}}}
