"""The API's JSON renderer writes what DRF's JSONRenderer writes (compact, unicode unescaped)."""

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from apps.core.renderers import DirectusJSONRenderer


class DrfRenderer(JSONRenderer):
    ensure_ascii = False


VALUES = [
    {"data": {"id": 1, "title": "Ünïcode ✓ 日本", "rating": 4.5, "flag": True, "none": None}},
    {"data": [{"id": n, "tags": ["a", "b"], "nested": {"k": [1, 2.0, -3]}} for n in range(3)]},
    {"text": "line\u2028separator\u2029paragraph"},
    {"at": datetime.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)},
    {"naive": datetime.datetime(2024, 1, 2, 3, 4, 5), "day": datetime.date(2024, 1, 2), "time": datetime.time(3, 4)},
    {"price": decimal.Decimal("12.50"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"lazy": gettext_lazy("Lazy text"), "set": {1}, "tuple": (1, 2)},
    {1: "integer key", "2": "text key"},
    {"big": 2**70, "small": -(2**70)},
    {"escapes": 'quote " backslash \\ slash / tab \t newline \n nul \x00'},
]


@pytest.mark.parametrize("value", VALUES)
def test_same_bytes_as_drf(value):
    assert DirectusJSONRenderer().render(value) == DrfRenderer().render(value)


def test_nothing_renders_empty():
    assert DirectusJSONRenderer().render(None) == b""


def test_line_separators_escaped():
    assert DirectusJSONRenderer().render({"t": "a\u2028b"}) == b'{"t":"a\\u2028b"}'


def test_unwritable_values_fail_as_with_drf():
    with pytest.raises(TypeError):
        DirectusJSONRenderer().render({"x": object()})
