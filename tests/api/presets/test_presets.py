"""/:project/collection_presets (presets.md)."""

import pytest

from apps.activity.models import Activity
from apps.presets.models import CollectionPreset
from apps.revisions.models import Revision
from tests.helpers import assert_error

pytestmark = pytest.mark.engines("sqlite", "postgres")

COLLECTION = "directus_collection_presets"
TIMELINE = {
    "collection": "articles",
    "filters": [{"field": "title", "operator": "contains", "value": "Hello"}],
    "view_type": "timeline",
    "view_query": {"timeline": {"sort": "-published_on"}},
    "view_options": {"timeline": {"date": "published_on", "title": "{{ title }}", "content": "excerpt"}},
}


def preset(**values) -> CollectionPreset:
    values.setdefault("collection", "articles")
    values.setdefault("view_type", "tabular")
    return CollectionPreset.objects.create(**values)


def no_activity():
    assert not Activity.objects.filter(collection=COLLECTION).exists()
    assert not Revision.objects.filter(collection=COLLECTION).exists()


def test_create_returns_the_preset_and_logs_nothing(admin_api, url):
    response = admin_api.post(url("collection_presets"), {**TIMELINE, "user": 1, "role": 1}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["collection"] == "articles"
    assert data["filters"] == TIMELINE["filters"]
    assert data["view_query"] == TIMELINE["view_query"]
    assert data["view_options"] == TIMELINE["view_options"]
    assert data["view_type"] == "timeline"
    assert (data["user"], data["role"], data["title"], data["search_query"]) == (1, 1, None, None)
    assert CollectionPreset.objects.filter(pk=data["id"]).exists()
    no_activity()


def test_view_type_defaults_to_tabular(admin_api, url):
    response = admin_api.post(url("collection_presets"), {"collection": "articles", "user": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["view_type"] == "tabular"


def test_update_and_delete_log_nothing_even_when_asked_to(admin_api, url):
    row = preset(user=1)
    response = admin_api.patch(
        url(f"collection_presets/{row.pk}?activity_skip=0"), {"search_query": "hello"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["search_query"] == "hello"
    response = admin_api.delete(url(f"collection_presets/{row.pk}"))
    assert response.status_code == 204
    assert response.content == b""
    assert not CollectionPreset.objects.filter(pk=row.pk).exists()
    no_activity()


def test_batch_create(admin_api, url):
    response = admin_api.post(
        url("collection_presets"),
        [{"collection": "articles", "user": 1}, {"collection": "authors", "user": 1, "title": "Mine"}],
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [item["collection"] for item in response.json()["data"]] == ["articles", "authors"]
    no_activity()


def test_collection_is_required(admin_api, url):
    before = CollectionPreset.objects.count()
    message = assert_error(admin_api.post(url("collection_presets"), {"title": "x"}, format="json"), 422, 4)
    assert "collection" in message
    assert CollectionPreset.objects.count() == before


def test_empty_body_is_400_code_13(admin_api, url):
    assert_error(admin_api.post(url("collection_presets"), "", content_type="application/json"), 400, 13)


def test_duplicate_user_collection_title_is_409_code_204(admin_api, url):
    preset(user=1, title="Bookmark")
    before = CollectionPreset.objects.count()
    response = admin_api.post(
        url("collection_presets"), {"user": 1, "collection": "articles", "title": "Bookmark"}, format="json"
    )
    assert_error(response, 409, 204)
    assert CollectionPreset.objects.count() == before


def test_missing_id_is_404_code_203(admin_api, url):
    assert_error(admin_api.get(url("collection_presets/987654")), 404, 203)
    assert_error(admin_api.patch(url("collection_presets/987654"), {"title": "x"}, format="json"), 404, 203)
    assert_error(admin_api.delete(url("collection_presets/987654")), 404, 203)
    assert_error(admin_api.get(url("collection_presets/abc")), 404, 203)


def test_read_one_with_fields_and_meta(admin_api, url):
    row = preset(user=1, title="Mine", search_query="foo")
    response = admin_api.get(url(f"collection_presets/{row.pk}"), {"fields": "id,title", "meta": "*"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"id": row.pk, "title": "Mine"}
    assert body["meta"]["collection"] == COLLECTION


# -- the filters the Directus 8 app sends ----------------------------------------------------------


@pytest.fixture
def presets_of_every_kind(project):
    return {
        "global": preset(collection="articles"),
        "role": preset(collection="articles", role=3),
        "mine": preset(collection="articles", user=1),
        "bookmark": preset(collection="articles", user=1, title="Drafts", filters=[{"field": "status"}]),
        "other": preset(collection="authors", user=1),
    }


def ids_of(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["data"]}


def test_app_listing_preference_filters(admin_api, url, presets_of_every_kind):
    rows = presets_of_every_kind
    # The user's own listing preference of a collection (not a bookmark).
    query = "filter[title][null]=1&filter[collection][eq]=articles&filter[user][eq]=1"
    assert ids_of(admin_api.get(url(f"collection_presets?{query}"))) == {rows["mine"].pk}
    # The role default: user null, role = the user's role.
    query = "filter[title][null]=1&filter[collection][eq]=articles&filter[role][eq]=3&filter[user][null]=1"
    assert ids_of(admin_api.get(url(f"collection_presets?{query}"))) == {rows["role"].pk}
    # The global default: both null.
    query = "filter[title][null]=1&filter[collection][eq]=articles&filter[role][null]=1&filter[user][null]=1"
    assert ids_of(admin_api.get(url(f"collection_presets?{query}"))) == {rows["global"].pk}


def test_app_bookmark_filters(admin_api, url, presets_of_every_kind):
    rows = presets_of_every_kind
    query = "filter[title][nnull]=1&filter[user][eq]=1"
    response = admin_api.get(url(f"collection_presets?{query}"))
    assert ids_of(response) == {rows["bookmark"].pk}
    assert response.json()["data"][0]["filters"] == [{"field": "status"}]


def test_list_with_limit_sort_and_meta(admin_api, url, presets_of_every_kind):
    response = admin_api.get(url("collection_presets"), {"sort": "-id", "limit": 2, "meta": "total_count"})
    assert response.status_code == 200
    body = response.json()
    assert len(body["data"]) == 2
    assert body["data"][0]["id"] > body["data"][1]["id"]
    assert body["meta"]["total_count"] >= 5


# -- non-admins (default role rows) ---------------------------------------------------------------


def test_public_cannot_read(api, url):
    assert_error(api.get(url("collection_presets")), 401, 3)


def test_user_creates_and_updates_own_preset(editor_api, editor, url):
    response = editor_api.post(url("collection_presets"), {"collection": "articles", "user": editor.pk}, format="json")
    assert response.status_code == 200, response.content
    pk = response.json()["data"]["id"]
    response = editor_api.patch(url(f"collection_presets/{pk}"), {"view_type": "cards"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["view_type"] == "cards"
    no_activity()


def test_user_cannot_update_others_preset(editor_api, editor, url):
    row = preset(user=1)
    assert_error(editor_api.patch(url(f"collection_presets/{row.pk}"), {"title": "x"}, format="json"), 403, 302)
    assert CollectionPreset.objects.get(pk=row.pk).title is None


def test_user_reads_all_presets(editor_api, editor, url):
    row = preset(user=1)
    assert row.pk in ids_of(editor_api.get(url("collection_presets")))


def test_user_cannot_delete_role_presets(editor_api, editor, url):
    row = preset(role=editor.role)
    message = assert_error(editor_api.delete(url(f"collection_presets/{row.pk}")), 403, 10)
    assert message == "Cannot delete collection presets that belongs to a role"
    assert CollectionPreset.objects.filter(pk=row.pk).exists()


def test_user_delete_needs_full_without_an_owner_field(editor_api, editor, url):
    row = preset(user=editor.pk)
    assert_error(editor_api.delete(url(f"collection_presets/{row.pk}")), 403, 303)
    assert CollectionPreset.objects.filter(pk=row.pk).exists()


def test_admin_deletes_role_presets(admin_api, url, editor):
    row = preset(role=editor.role)
    assert admin_api.delete(url(f"collection_presets/{row.pk}")).status_code == 204
    assert not CollectionPreset.objects.filter(pk=row.pk).exists()
