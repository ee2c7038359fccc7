"""A non-admin's presets are their own (deviation 22): `user` is themself, never another user, a
role or nobody (a global preset), on create and on update, whatever the permission rows say."""

from apps.presets.models import CollectionPreset
from tests.helpers import assert_error


def preset(**values) -> CollectionPreset:
    return CollectionPreset.objects.create(collection="articles", view_type="tabular", **values)


def presets_of(collection: str) -> list[dict]:
    return list(CollectionPreset.objects.filter(collection=collection).values())


def set_levels(role: int, **levels) -> None:
    from apps.permissions.models import Permission

    row = Permission.objects.get(role=role, collection="directus_collection_presets", status=None)
    for action, level in levels.items():
        setattr(row, action, level)
    row.save()


def test_a_non_admin_creates_presets_for_themself_only(editor_api, editor, url):
    for others in ({"user": 1}, {"user": None}, {"role": 1}, {"user": editor.pk, "role": editor.role}):
        response = editor_api.post(url("collection_presets"), {"collection": "forged", **others}, format="json")
        assert_error(response, 403, 305)
    assert presets_of("forged") == []

    response = editor_api.post(url("collection_presets"), {"collection": "mine", "title": "Bookmark"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["data"]["user"], response.json()["data"]["role"]) == (editor.pk, None)


def test_a_non_admin_never_gives_their_preset_away(editor_api, editor, url):
    own = preset(user=editor.pk, title="Mine")
    for change in ({"user": 1}, {"user": None}, {"role": 1}):
        assert_error(editor_api.patch(url(f"collection_presets/{own.pk}"), change, format="json"), 403, 305)
    stored = CollectionPreset.objects.get(pk=own.pk)
    assert (stored.user, stored.role) == (editor.pk, None)
    keep = {"user": editor.pk, "title": "Still mine"}
    response = editor_api.patch(url(f"collection_presets/{own.pk}"), keep, format="json")
    assert response.status_code == 200 and response.json()["data"]["title"] == "Still mine"


def test_rows_granting_more_do_not_open_others_presets(editor_api, editor, url):
    set_levels(editor.role, update="full")
    for other in (preset(user=1), preset(role=editor.role), preset()):
        response = editor_api.patch(url(f"collection_presets/{other.pk}"), {"user": editor.pk}, format="json")
        assert_error(response, 403, 302)
        assert CollectionPreset.objects.get(pk=other.pk).user == other.user


def test_admins_still_write_presets_of_anyone(admin_api, editor, url):
    for owners in ({"user": editor.pk}, {"role": editor.role}, {"user": None}):
        response = admin_api.post(url("collection_presets"), {"collection": "shared", **owners}, format="json")
        assert response.status_code == 200, response.content
    assert len(presets_of("shared")) == 3
