"""The revision text of a plain create, made before its key exists (apps.items.one_statement)."""

import datetime

import pytest

from apps.core.fields import json_text
from apps.items.one_statement import KEY, UNKNOWN, around_key, kind_of


@pytest.mark.parametrize(
    "values",
    [
        {"title": "plain"},
        {"title": '"\\u0000key\\u0000"', "body": "\\", "other": "key"},  # the marker's text, escaped
        {"title": "ünï 😀 \n\t\x01", "amount": 17, "flag": None},
    ],
)
def test_the_key_goes_where_json_puts_it(values):
    for recorded in ({"id": KEY, **values}, {**values, "id": KEY}):
        head, tail = around_key(recorded)
        assert head + "1234" + tail == json_text({**recorded, "id": 1234})


def test_no_key_or_two_are_not_split():
    assert around_key({"title": "no key"}) is None
    assert around_key({"id": KEY, "copy": KEY}) is None


@pytest.mark.parametrize(
    ("column_type", "sent", "stored"),
    [
        ("integer", 5, 5),
        ("integer", True, UNKNOWN),
        ("bigint", 2**60, 2**60),
        ("boolean", False, False),
        ("boolean", 0, UNKNOWN),
        ("text", "any", "any"),
        ("character varying(3)", "abc", "abc"),
        ("character varying(3)", "abcd", UNKNOWN),
        ("character(4)", "ab", "ab  "),
        ("numeric(10,2)", 1, None),
        ("jsonb", "{}", None),
        ("uuid", "0E984725-C51C-4BF4-9960-E1C80E27ABA0", None),
        ("time(0) without time zone", datetime.time(1, 2, 3, 500000), None),
        ("time without time zone", datetime.time(1, 2, 3, 500000), datetime.time(1, 2, 3, 500000)),
        ("date", datetime.datetime(2024, 1, 2), UNKNOWN),
        (
            "timestamp with time zone",
            datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
            datetime.datetime(2024, 1, 2, 1, 4, 5, 6, tzinfo=datetime.UTC),
        ),
        (
            "timestamp without time zone",
            datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
            datetime.datetime(2024, 1, 2, 1, 4, 5),
        ),
        ("timestamp with time zone", datetime.datetime(2024, 1, 2), UNKNOWN),  # naive
    ],
)
def test_values_stored_as_sent(column_type, sent, stored):
    kind = kind_of(column_type)
    assert (None if kind is None else kind(sent)) == stored
