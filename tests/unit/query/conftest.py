"""A small schema with every kind of relation, built once per engine and test module through the
real schema services, for the query compiler tests.

    qt_authors      id, name, email, age, books (O2M -> qt_articles.author)
    qt_articles     id, status, sort, title, body, views, price, rating, featured, day,
                    published_on, at, author (M2O), editor (user -> directus_users), class
                    (a keyword: attname differs), comments (O2M), tags (M2M via qt_articles_tags),
                    translations (translation), divider (alias)
    qt_comments     id, article (M2O), body, author (M2O -> qt_authors)
    qt_tags         id, name
    qt_articles_tags id, article, tag
    qt_translations id, article, lang, title

The rows are in ROWS; tests read them through `qdb` (the project selected, database access on).
"""

import datetime
from decimal import Decimal

import pytest

PK = {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True}


def _string(name: str, length: int = 100) -> dict:
    return {"field": name, "type": "string", "datatype": "VARCHAR", "length": length}


COLLECTIONS = [
    (
        "qt_authors",
        [
            PK,
            _string("name"),
            _string("email"),
            {"field": "age", "type": "integer", "datatype": "INT"},
            {"field": "books", "type": "o2m"},
        ],
    ),
    (
        "qt_articles",
        [
            PK,
            {"field": "status", "type": "status", "datatype": "VARCHAR", "length": 20},
            {"field": "sort", "type": "sort", "datatype": "INT"},
            _string("title", 200),
            {"field": "body", "type": "string", "datatype": "TEXT"},
            {"field": "views", "type": "integer", "datatype": "INT", "signed": True},
            {"field": "price", "type": "decimal", "datatype": "DECIMAL", "length": "10,2"},
            {"field": "rating", "type": "decimal", "datatype": "FLOAT"},
            {"field": "featured", "type": "boolean", "datatype": "TINYINT", "length": 1},
            {"field": "day", "type": "date", "datatype": "DATE"},
            {"field": "published_on", "type": "datetime", "datatype": "DATETIME"},
            {"field": "at", "type": "time", "datatype": "TIME"},
            {"field": "author", "type": "m2o", "datatype": "INT"},
            {"field": "editor", "type": "user", "datatype": "INT"},
            _string("class", 20),
            {"field": "comments", "type": "o2m"},
            {"field": "tags", "type": "o2m"},
            {"field": "translations", "type": "translation"},
            {"field": "divider", "type": "alias", "interface": "divider"},
        ],
    ),
    (
        "qt_comments",
        [
            PK,
            {"field": "article", "type": "m2o", "datatype": "INT"},
            _string("body"),
            {"field": "author", "type": "m2o", "datatype": "INT"},
        ],
    ),
    ("qt_tags", [PK, _string("name")]),
    (
        "qt_articles_tags",
        [
            PK,
            {"field": "article", "type": "integer", "datatype": "INT"},
            {"field": "tag", "type": "integer", "datatype": "INT"},
        ],
    ),
    (
        "qt_translations",
        [
            PK,
            {"field": "article", "type": "integer", "datatype": "INT"},
            {"field": "lang", "type": "lang", "datatype": "VARCHAR", "length": 8},
            _string("title"),
        ],
    ),
]

RELATIONS = [
    {"collection_many": "qt_articles", "field_many": "author", "collection_one": "qt_authors", "field_one": "books"},
    {
        "collection_many": "qt_comments",
        "field_many": "article",
        "collection_one": "qt_articles",
        "field_one": "comments",
    },
    {"collection_many": "qt_comments", "field_many": "author", "collection_one": "qt_authors", "field_one": None},
    {
        "collection_many": "qt_articles_tags",
        "field_many": "article",
        "collection_one": "qt_articles",
        "field_one": "tags",
        "junction_field": "tag",
    },
    {
        "collection_many": "qt_articles_tags",
        "field_many": "tag",
        "collection_one": "qt_tags",
        "field_one": None,
        "junction_field": "article",
    },
    {
        "collection_many": "qt_translations",
        "field_many": "article",
        "collection_one": "qt_articles",
        "field_one": "translations",
    },
]

_A = ("id", "status", "sort", "title", "body", "views", "price", "rating", "featured", "day", "published_on", "at")
_A += ("author", "editor", "class")


def _dt(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


# id, status, sort, title, body, views, price, rating, featured, day, published_on, at, author, editor, class
_ARTICLES = [
    (1, "published", 3, "Hello World", "first post", 10, Decimal("9.99"), 4.5, True,
     datetime.date(2020, 1, 1), _dt("2020-01-01 10:00:00"), datetime.time(8), 1, 1, "x"),
    (2, "draft", 1, "100% pure", "", 0, Decimal("20.00"), 3.0, False,
     datetime.date(2020, 6, 15), _dt("2020-06-15 12:30:00"), datetime.time(12), 2, None, "y"),
    (3, "published", None, "snake_case tips", None, None, None, None, True,
     None, None, None, 1, None, "x"),
    (4, "archived", 2, "Hello again", "second post", 250, Decimal("5.50"), 1.25, False,
     datetime.date(2021, 3, 3), _dt("2021-03-03 08:00:00"), datetime.time(18, 30), None, None, None),
    (5, "published", None, "Zebra", "Another", 42, Decimal("100.00"), None, True,
     datetime.date(2099, 1, 1), _dt("2099-01-01 00:00:00"), datetime.time(23, 59, 59), 2, None, "z"),
]  # fmt: skip

ROWS = {
    "qt_authors": [
        {"id": 1, "name": "Ann", "email": "ann@example.com", "age": 30},
        {"id": 2, "name": "Bob", "email": "bob@test.org", "age": None},
        {"id": 3, "name": "Cy", "email": "cy@example.com", "age": 45},
    ],
    "qt_articles": [dict(zip(_A, values, strict=True)) for values in _ARTICLES],
    "qt_comments": [
        {"id": 1, "article": 1, "body": "Great!", "author": 2},
        {"id": 2, "article": 1, "body": "Thanks", "author": 1},
        {"id": 3, "article": 2, "body": "meh", "author": 3},
        {"id": 4, "article": None, "body": "orphan", "author": None},
        {"id": 5, "article": 4, "body": "Great stuff", "author": 2},
    ],
    "qt_tags": [{"id": 1, "name": "news"}, {"id": 2, "name": "tech"}, {"id": 3, "name": "life"}],
    "qt_articles_tags": [
        {"id": i, "article": a, "tag": t}
        for i, (a, t) in enumerate([(1, 1), (1, 2), (2, 2), (4, 1), (4, 2), (4, 3), (None, 1)], start=1)
    ],
    "qt_translations": [
        {"id": 1, "article": 1, "lang": "en-US", "title": "Hello World"},
        {"id": 2, "article": 1, "lang": "nl-NL", "title": "Hallo Wereld"},
        {"id": 3, "article": 2, "lang": "en-US", "title": "100% pure"},
    ],
}


def build_schema() -> None:
    from apps.auth.identity import Identity
    from apps.schema import services
    from apps.schema.cache import project_schema
    from apps.users.models import User

    admin = Identity(user=User.objects.get(pk=1), role_id=1)
    for name, fields in COLLECTIONS:
        services.create_collection({"collection": name, "fields": fields}, admin)
    services.create_relations(RELATIONS, admin)
    schema = project_schema()
    for name, rows in ROWS.items():
        info = schema.collection(name)
        model = schema.model(name)
        model.objects.bulk_create(
            [model(**{info.fields[key].attname: value for key, value in row.items()}) for row in rows]
        )


@pytest.fixture(scope="module")
def query_schema(session_project, django_db_blocker):
    """The schema above on this engine's project, for the whole test module."""
    from apps.projects.context import using_project
    from apps.schema import introspect
    from tests.conftest import remove_collections

    alias = session_project.alias
    with django_db_blocker.unblock(), using_project(session_project):
        before = set(introspect.table_names(alias))
        try:
            build_schema()
        except BaseException:
            remove_collections(alias, set(introspect.table_names(alias)) - before)
            raise
    yield session_project
    with django_db_blocker.unblock(), using_project(session_project):
        remove_collections(alias, set(introspect.table_names(alias)) - before)


@pytest.fixture
def qdb(query_schema, django_db_blocker):
    """The current ProjectSchema with the query test schema, inside the project's context."""
    from apps.projects.context import using_project
    from apps.schema.cache import project_schema

    with django_db_blocker.unblock(), using_project(query_schema):
        yield project_schema()
