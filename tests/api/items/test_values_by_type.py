"""Values are checked by their field's type on every engine alike: what a type cannot hold is
`422` code `4` and nothing is written; a NUL character is never stored (PostgreSQL cannot) and
in a filter matches nothing."""

import pytest

from apps.schema import services
from apps.schema.cache import project_schema
from tests.blog import ID, admin_identity
from tests.helpers import assert_error

FIELDS = [
    ID,
    {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
    {"field": "keywords", "type": "array", "datatype": "VARCHAR", "length": 200},
    {"field": "published", "type": "date", "datatype": "DATE"},
    {"field": "seen", "type": "datetime", "datatype": "DATETIME"},
    {"field": "at", "type": "time", "datatype": "TIME"},
    {"field": "extra", "type": "json", "datatype": "TEXT"},
]


@pytest.fixture
def books(schema_project, schema_admin_api, schema_url):
    services.create_collection({"collection": "books", "fields": FIELDS}, admin_identity())
    response = schema_admin_api.post(schema_url("items/books"), {"title": "kept", "keywords": ["a"]}, format="json")
    assert response.status_code == 200, response.content
    return schema_project


def stored() -> list[dict]:
    return list(project_schema().model("books").objects.order_by("pk").values("title", "keywords"))


def refused(api, url, body: dict) -> None:
    before = stored()
    assert_error(api.post(url("items/books"), body, format="json"), 422, 4)
    assert_error(api.patch(url("items/books/1"), body, format="json"), 422, 4)
    assert stored() == before


def test_dates_out_of_range_are_422_code_4(books, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    for body in (
        {"published": "2020-13-45"},
        {"published": "2021-02-29"},
        {"seen": "2020-13-45 10:00:00"},
        {"seen": "2020-02-30T25:61:00"},
        {"seen": "2020-13-45"},
        {"at": "25:61:00"},
        {"seen": 20200101},
    ):
        refused(api, url, body)
    response = api.post(url("items/books"), {"published": "2024-02-29", "seen": "2024-02-29 23:59:59"}, format="json")
    assert response.status_code == 200, response.content


def test_an_array_field_takes_only_arrays(books, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    for value in ("not-an-array", "a,b", 5, True, {"a": "b"}, [["nested"]], [None], [True]):
        refused(api, url, {"keywords": value})
    response = api.post(url("items/books"), {"keywords": ["a", "b", 3]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["keywords"] == ["a", "b", "3"]


def test_a_string_field_refuses_booleans_and_takes_numbers_as_written(books, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    for value in (False, True):
        refused(api, url, {"title": value})
    for value, text in ((12, "12"), (1.5, "1.5")):
        response = api.post(url("items/books"), {"title": value}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["data"]["title"] == text


def test_a_nul_character_is_never_stored(books, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    for body in ({"title": "a\u0000b"}, {"keywords": ["a\u0000"]}, {"extra": {"k": "a\u0000"}}, {"extra": "\u0000"}):
        refused(api, url, body)
    # Nested in a batch, too: all or nothing.
    batch = [{"title": "fine"}, {"title": "not\u0000fine"}]
    before = stored()
    assert_error(api.post(url("items/books"), batch, format="json"), 422, 4)
    assert stored() == before


def test_a_nul_character_in_a_filter_matches_nothing(books, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url

    def titles(query: str) -> list:
        response = api.get(url("items/books") + "?fields=title&" + query)
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["data"]]

    for query in (
        "filter[title][eq]=kept%00",
        "filter[title][contains]=k%00",
        "filter[title][like]=k%00",
        "filter[title][in]=a%00,b%00",
        "filter[title][between]=a%00,z",
        "filter[title][rlike]=k%00%25",
        "q=kept%00",
    ):
        assert titles(query) == [], query
    assert titles("filter[title][neq]=kept%00") == ["kept"]
    assert titles("filter[title][nin]=kept%00") == ["kept"]
    assert titles("filter[title][in]=kept,x%00") == ["kept"]
    # A NUL in a number is not a number.
    assert_error(api.get(url("items/books"), {"filter[id][eq]": "1\u0000"}), 422, 4)
    assert_error(api.get(url("items/books/1%00")), 404, 203)
