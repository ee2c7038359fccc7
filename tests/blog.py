"""The blog schema most item tests share, built through the schema service as the admin:

    authors ←M2O— articles —O2M→ comments; articles ⇄ tags (M2M through articles_tags)

`articles` has a status (draft by default, `deleted` soft-deletes), an owner and a creation date.
The `blog` fixture (tests/conftest.py) builds it in the engine's schema project."""

from apps.auth.identity import Identity
from apps.schema import services
from apps.users.models import User

ID = {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True}
STATUS_MAPPING = {
    "published": {"name": "Published"},
    "draft": {"name": "Draft"},
    "deleted": {"name": "Deleted", "soft_delete": True},
}


def admin_identity() -> Identity:
    return Identity(user=User.objects.get(pk=1), role_id=1)


def build_blog_schema() -> None:
    """authors ←M2O— articles —O2M→ comments; articles ⇄ tags (M2M through articles_tags)."""
    admin = admin_identity()
    services.create_collection(
        {
            "collection": "authors",
            "fields": [
                ID,
                {"field": "name", "type": "string", "datatype": "VARCHAR", "length": 100, "required": True},
                {"field": "email", "type": "string", "datatype": "VARCHAR", "length": 100},
                {"field": "articles", "type": "o2m"},
            ],
        },
        admin,
    )
    services.create_collection(
        {
            "collection": "articles",
            "fields": [
                ID,
                {
                    "field": "status",
                    "type": "status",
                    "datatype": "VARCHAR",
                    "length": 20,
                    "default_value": "draft",
                    "options": {"status_mapping": STATUS_MAPPING},
                },
                {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100, "required": True},
                {"field": "body", "type": "string", "datatype": "TEXT"},
                {"field": "rating", "type": "integer", "datatype": "INT", "signed": True},
                {"field": "author", "type": "m2o", "datatype": "INT"},
                {"field": "owner", "type": "owner", "datatype": "INT"},
                {"field": "created_on", "type": "datetime_created", "datatype": "DATETIME"},
                {"field": "comments", "type": "o2m"},
                {"field": "tags", "type": "o2m"},
            ],
        },
        admin,
    )
    services.create_collection(
        {
            "collection": "comments",
            "fields": [
                ID,
                {"field": "text", "type": "string", "datatype": "VARCHAR", "length": 200},
                {"field": "article", "type": "m2o", "datatype": "INT"},
            ],
        },
        admin,
    )
    services.create_collection(
        {
            "collection": "tags",
            "fields": [ID, {"field": "name", "type": "string", "datatype": "VARCHAR", "length": 50}],
        },
        admin,
    )
    services.create_collection(
        {
            "collection": "articles_tags",
            "fields": [
                ID,
                {"field": "article", "type": "integer", "datatype": "INT"},
                {"field": "tag", "type": "integer", "datatype": "INT"},
            ],
        },
        admin,
    )
    services.create_relations(
        [
            {
                "collection_many": "articles",
                "field_many": "author",
                "collection_one": "authors",
                "field_one": "articles",
            },
            {
                "collection_many": "comments",
                "field_many": "article",
                "collection_one": "articles",
                "field_one": "comments",
            },
            {
                "collection_many": "articles_tags",
                "field_many": "article",
                "collection_one": "articles",
                "field_one": "tags",
                "junction_field": "tag",
            },
            {
                "collection_many": "articles_tags",
                "field_many": "tag",
                "collection_one": "tags",
                "field_one": None,
                "junction_field": "article",
            },
        ],
        admin,
    )
