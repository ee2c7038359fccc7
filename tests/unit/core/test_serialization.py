"""Plain values as Directus 8 sends them (apps/core/serialization.py)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.core.serialization import wire_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.datetime(2020, 1, 2, 3, 4, 5), "2020-01-02 03:04:05"),
        (datetime.datetime(2020, 1, 2, 3, 4, 5, 999999, tzinfo=datetime.UTC), "2020-01-02 03:04:05"),
        (datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=ZoneInfo("UTC")), "2020-01-02 03:04:05"),
        (
            datetime.datetime(2020, 1, 2, 1, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
            "2020-01-01 23:04:05",
        ),
        (datetime.datetime(2020, 7, 1, 12, 0, tzinfo=ZoneInfo("America/New_York")), "2020-07-01 16:00:00"),
        (datetime.datetime(999, 1, 2, 3, 4, 5), "0999-01-02 03:04:05"),
        (datetime.date(2020, 1, 2), "2020-01-02"),
        (datetime.time(3, 4, 5, 6), "03:04:05"),
        (Decimal("1.50"), 1.5),
        ("text", "text"),
        (None, None),
    ],
)
def test_wire_value(value, expected):
    assert wire_value(value) == expected
