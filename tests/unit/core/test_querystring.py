import pytest
from django.http import QueryDict

from apps.core.querystring import parse_query, split_key


def parse(query: str) -> dict:
    return parse_query(QueryDict(query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("limit=10", {"limit": "10"}),
        ("filter[title][eq]=x", {"filter": {"title": {"eq": "x"}}}),
        ("filter[title]=x", {"filter": {"title": "x"}}),
        ("fields[]=a&fields[]=b", {"fields": ["a", "b"]}),
        ("fields[0]=a&fields[1]=b", {"fields": ["a", "b"]}),
        ("fields[1]=b&fields[0]=a", {"fields": {"1": "b", "0": "a"}}),
        ("filter[id][in][]=1&filter[id][in][]=2", {"filter": {"id": {"in": ["1", "2"]}}}),
        ("filter[author.name][eq]=x", {"filter": {"author.name": {"eq": "x"}}}),
        ("a[b][c]=v&a[b][d]=w", {"a": {"b": {"c": "v", "d": "w"}}}),
        ("limit=1&limit=2", {"limit": "2"}),
        ("fields=a,b", {"fields": "a,b"}),
        ("filter[or][0][a][eq]=1&filter[or][1][b][eq]=2", {"filter": {"or": [{"a": {"eq": "1"}}, {"b": {"eq": "2"}}]}}),
        ("q=caf%C3%A9", {"q": "café"}),
        # The top level is always a mapping of names, whatever they are; PHP drops nameless ones.
        ("0=x", {"0": "x"}),
        ("0=x&1=y", {"0": "x", "1": "y"}),
        ("=x", {}),
        ("=x&limit=1", {"limit": "1"}),
        ("[]=x", {"[]": "x"}),
    ],
)
def test_php_bracket_parsing(query, expected):
    assert parse(query) == expected


def test_a_scalar_is_replaced_by_a_later_array():
    assert parse("a=1&a[]=2") == {"a": ["2"]}


@pytest.mark.parametrize("key", ["a[b", "[a]", "a]b[", "a[b]c"])
def test_malformed_keys_are_kept_literally(key):
    assert split_key(key) is None
    assert parse(f"{key}=1") == {key: "1"}
