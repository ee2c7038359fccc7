"""PHP-style bracket parsing of query strings, as Directus 8 clients send them.

    filter[title][eq]=x      -> {"filter": {"title": {"eq": "x"}}}
    fields[]=a&fields[]=b    -> {"fields": ["a", "b"]}
    fields[0]=a&fields[1]=b  -> {"fields": ["a", "b"]}

Like PHP's parse_str, a later value for the same key replaces an earlier one, except for `[]`
appends, and a parameter without a name is dropped. Nested arrays keyed 0..n-1 in order become
lists (that is how PHP encodes them as JSON); the top level always stays a mapping of names
(`?0=x` is the parameter "0").
"""

import re

from django.http import QueryDict

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def split_key(key: str) -> list[str] | None:
    """`a[b][]` -> ["a", "b", ""]; None for keys without a well-formed bracket tail."""
    head, sep, rest = key.partition("[")
    if not sep:
        return [key]
    rest = "[" + rest
    parts = _SEGMENT.findall(rest)
    if not head or "".join(f"[{p}]" for p in parts) != rest:
        return None
    return [head, *parts]


def parse_query(query: QueryDict) -> dict:
    result: dict = {}
    for key, values in query.lists():
        if not key:
            continue
        path = split_key(key) or [key]
        for value in values:
            _assign(result, path, value)
    return {key: _listify(value) for key, value in result.items()}


def _assign(target: dict, path: list[str], value: str) -> None:
    for index, segment in enumerate(path):
        last = index == len(path) - 1
        if segment == "":
            segment = str(_next_index(target))
        if last:
            target[segment] = value
            return
        child = target.get(segment)
        if not isinstance(child, dict):
            child = {}
            target[segment] = child
        target = child


def _next_index(target: dict) -> int:
    numeric = [int(k) for k in target if k.isdigit()]
    return max(numeric) + 1 if numeric else 0


def _listify(node):
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    keys = list(converted)
    if keys and keys == [str(i) for i in range(len(keys))]:
        return list(converted.values())
    return converted
