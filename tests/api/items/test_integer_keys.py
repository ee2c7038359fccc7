"""Keys in item paths are whole numbers when their column holds them, whatever the engine calls
its type (SQLite keeps a table's declared `SERIAL`, MariaDB has `YEAR`): `2002,2001` answers those
items in that order, and a key that is no number is not found."""

import pytest
from django.db import connections

from apps.schema.cache import project_schema
from tests.api.test_wire import assert_error


def make_table(project, key_datatype: str) -> None:
    connection = connections[project.alias]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {quote('seasons')} ({quote('id')} {key_datatype} NOT NULL PRIMARY KEY, "
            f"{quote('name')} VARCHAR(20))"
        )
        cursor.execute(
            f"INSERT INTO {quote('seasons')} ({quote('id')}, {quote('name')}) VALUES (2001, 'a'), (2002, 'b')"
        )
    project_schema().forget()


def check_integer_keys(api, url) -> None:
    response = api.get(url("items/seasons/2002,2001"))
    assert response.status_code == 200, response.content
    assert [item["id"] for item in response.json()["data"]] == [2002, 2001]
    response = api.get(url("items/seasons/2001"))
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {"id": 2001, "name": "a"}
    assert_error(api.get(url("items/seasons/first")), 404, 203)


def test_a_serial_key_is_an_integer(schema_project, schema_admin_api, schema_url):
    make_table(schema_project, "SERIAL")
    check_integer_keys(schema_admin_api, schema_url)


@pytest.mark.engines("sqlite", "mariadb")  # PostgreSQL has no YEAR
def test_a_year_key_is_an_integer(schema_project, schema_admin_api, schema_url):
    make_table(schema_project, "YEAR")
    assert project_schema().collection("seasons").primary_key.column.datatype == "YEAR"
    check_integer_keys(schema_admin_api, schema_url)
