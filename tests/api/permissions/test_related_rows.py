"""Deviation 20: a filter through a relation sees only the related rows and fields the caller
may read, and `meta` counts only rows the caller may read. Otherwise a filter on a readable
collection is an oracle for the rows of another: `filter[articles.title][contains]=...` would
tell, one guess at a time, what an unreadable article says."""

import pytest

from apps.schema.cache import project_schema
from tests.api.permissions.matrix import allow, article
from tests.api.users.factories import client_with_token
from tests.helpers import assert_error


def rows(model: str, **values) -> int:
    return project_schema().model(model).objects.create(**values).pk


@pytest.fixture
def authors_with_articles(matrix):
    """Two authors: one wrote the member's article, the other only the admin's secret one.
    Each article has a comment."""
    own_author = rows("authors", name="Own")
    other_author = rows("authors", name="Other")
    mine = article(matrix.member, "Mine to read", author=own_author)
    secret = article(1, "launch code 7781", author=other_author, body="classified")
    rows("comments", text="on mine", article=mine)
    rows("comments", text="on the secret", article=secret)
    return {"own": own_author, "other": other_author, "mine": mine, "secret": secret}


def ids_of(response) -> list:
    assert response.status_code == 200, response.content
    return sorted(item["id"] for item in response.json()["data"])


def names_of(response) -> list:
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["data"])


ARTICLES_MINE = ("articles", None, {"read": "mine"})


@pytest.mark.parametrize(
    "query",
    [
        {"filter[articles.title][contains]": "launch code 7781"},
        {"filter[articles.title][contains]": "7781"},
        {"filter[articles.title][rlike]": "launch%"},
        {"filter[articles.title][eq]": "launch code 7781"},
        {"filter[articles.id][gt]": "0", "filter[articles.title][like]": "launch"},
    ],
)
def test_a_one_to_many_path_sees_only_readable_rows(matrix, member, authors_with_articles, query):
    allow(matrix, ("authors", None, {"read": "full"}), ARTICLES_MINE)
    assert names_of(member.get(matrix.url("items/authors"), query)) == []
    # The admin, who may read the article, finds its author: the filter itself works.
    admin = client_with_token("admin-static-token")
    assert names_of(admin.get(matrix.url("items/authors"), query)) == ["Other"]


def test_a_readable_related_row_still_matches(matrix, member, authors_with_articles):
    allow(matrix, ("authors", None, {"read": "full"}), ARTICLES_MINE)
    found = member.get(matrix.url("items/authors"), {"filter[articles.title][contains]": "mine to"})
    assert names_of(found) == ["Own"]


def test_has_counts_only_readable_rows(matrix, member, authors_with_articles):
    allow(matrix, ("authors", None, {"read": "full"}), ARTICLES_MINE)
    assert names_of(member.get(matrix.url("items/authors"), {"filter[articles][has]": "1"})) == ["Own"]
    assert names_of(member.get(matrix.url("items/authors"), {"filter[articles][nhas]": "1"})) == ["Other"]
    assert names_of(member.get(matrix.url("items/authors"), {"filter[articles][empty]": ""})) == ["Other"]


def test_a_many_to_one_path_sees_only_readable_rows(matrix, member, authors_with_articles):
    allow(matrix, ("comments", None, {"read": "full"}), ARTICLES_MINE)
    for query in (
        {"filter[article.title][contains]": "7781"},
        {"filter[article][contains]": "7781"},  # the like family on the M2O field itself
        {"filter[article.title][rlike]": "launch%"},
    ):
        assert member.get(matrix.url("items/comments"), query).json()["data"] == [], query
    found = member.get(matrix.url("items/comments"), {"filter[article.title][contains]": "mine"})
    assert [item["text"] for item in found.json()["data"]] == ["on mine"]


def test_a_path_two_relations_deep_sees_only_readable_rows(matrix, member, authors_with_articles):
    allow(matrix, ("comments", None, {"read": "full"}), ARTICLES_MINE, ("authors", None, {"read": "full"}))
    found = member.get(matrix.url("items/comments"), {"filter[article.author.name][eq]": "Other"})
    assert found.json()["data"] == []  # the only article by "Other" is not readable
    found = member.get(matrix.url("items/comments"), {"filter[article.author.name][eq]": "Own"})
    assert [item["text"] for item in found.json()["data"]] == ["on mine"]


def test_a_path_into_a_collection_without_owner_read_as_mine_matches_nothing(matrix, member, authors_with_articles):
    # comments has no owner field: `mine` reads none of its rows.
    allow(matrix, ("articles", None, {"read": "full"}), ("comments", None, {"read": "mine"}))
    assert member.get(matrix.url("items/comments")).json()["data"] == []
    for query in ({"filter[comments.text][contains]": "secret"}, {"filter[comments][has]": "1"}):
        assert member.get(matrix.url("items/articles"), query).json()["data"] == [], query


def test_a_blacklisted_related_field_is_refused(matrix, member, authors_with_articles):
    allow(
        matrix,
        ("authors", None, {"read": "full"}),
        ("articles", None, {"read": "full", "read_field_blacklist": ["body"]}),
    )
    assert_error(member.get(matrix.url("items/authors"), {"filter[articles.body][contains]": "class"}), 403, 304)
    # An unreadable related collection is refused as a whole.
    allow(matrix, ("authors", None, {"read": "full"}))
    assert_error(member.get(matrix.url("items/authors"), {"filter[articles.title][contains]": "x"}), 403, 215)


def test_a_kept_statement_is_not_reused_across_row_restrictions(matrix, member, authors_with_articles):
    """The same filter read by the admin, then by the member: the member's read must not run the
    statement compiled for the admin's rows."""
    allow(matrix, ("authors", None, {"read": "full"}), ARTICLES_MINE)
    query = {"filter[articles.title][contains]": "7781"}
    admin = client_with_token("admin-static-token")
    for _ in range(2):
        assert names_of(admin.get(matrix.url("items/authors"), query)) == ["Other"]
        assert names_of(member.get(matrix.url("items/authors"), query)) == []


def test_graphql_filters_through_relations_see_only_readable_rows(matrix, member, authors_with_articles):
    allow(matrix, ("authors", None, {"read": "full"}), ARTICLES_MINE, ("comments", None, {"read": "full"}))
    for document in (
        '{ authors(filter: {articles: {title_contains: "7781"}}) { data { name } } }',
        '{ comments(filter: {article: {title_contains: "7781"}}) { data { text } } }',
    ):
        response = member.post(matrix.url("gql"), {"query": document}, format="json")
        assert response.status_code == 200, response.content
        assert "errors" not in response.json(), response.content
        (listing,) = response.json()["data"].values()
        assert listing["data"] == [], document


def test_counts_in_meta_count_only_readable_rows(matrix, member, authors_with_articles):
    allow(matrix, ARTICLES_MINE)
    response = member.get(matrix.url("items/articles"), {"meta": "total_count,filter_count,status_count"})
    meta = response.json()["meta"]
    assert meta["total_count"] == 1 and meta["filter_count"] == 1, meta
    assert meta["status_count"]["draft"] == 1, meta
    paged = member.get(matrix.url("items/articles"), {"meta": "page", "limit": 1}).json()["meta"]
    assert paged["page_count"] == 1, paged
    document = "{ articles { meta { total_count filter_count } } }"
    counted = member.post(matrix.url("gql"), {"query": document}, format="json").json()
    assert counted["data"]["articles"]["meta"] == {"total_count": 1, "filter_count": 1}, counted
    # The admin counts both.
    admin = client_with_token("admin-static-token")
    assert admin.get(matrix.url("items/articles"), {"meta": "total_count"}).json()["meta"]["total_count"] == 2


def test_revisions_filtered_through_activity_do_not_read_others_comments(matrix, member, authors_with_articles):
    """`filter[activity.comment]` on revisions reached every activity row: with activity read
    `mine`, only the caller's own activity is matched."""
    admin = client_with_token("admin-static-token")
    mine = authors_with_articles["mine"]
    response = admin.patch(
        matrix.url(f"items/articles/{mine}?comment=the+vault+code+is+1234"), {"rating": 2}, format="json"
    )
    assert response.status_code == 200, response.content
    allow(
        matrix,
        ARTICLES_MINE,
        ("directus_revisions", None, {"read": "full"}),
        ("directus_activity", None, {"read": "mine"}),
    )
    for query in (
        {"filter[activity.comment][contains]": "vault"},
        {"filter[activity.user_agent][nnull]": ""},
        {"filter[activity.action_by][eq]": "1"},
    ):
        found = member.get(matrix.url("revisions"), query)
        assert found.status_code == 200, found.content
        assert found.json()["data"] == [], query


def test_a_kept_statement_follows_the_role_members(matrix, member, authors_with_articles):
    """`role` reads go through the role's users, which change without a schema change: a kept
    statement for the same filter must not keep the old members."""
    from apps.users.models import User

    allow(matrix, ("authors", None, {"read": "full"}), ("articles", None, {"read": "role"}))
    article(matrix.colleague, "colleague draft 55", author=authors_with_articles["other"])
    query = {"filter[articles.title][contains]": "draft 55"}
    assert names_of(member.get(matrix.url("items/authors"), query)) == ["Other"]
    User.objects.filter(pk=matrix.colleague).update(role=None)
    assert names_of(member.get(matrix.url("items/authors"), query)) == []
