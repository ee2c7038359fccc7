"""A system row written as a nested object of an item obeys the rules of its own route
(deviation 22): a file row's content columns are the file service's, presets follow the preset
rules, and rows that only their own services write (the history, settings) are out of reach.

`gallery` is built once per engine (module fixture); every test runs inside transactions that are
rolled back, like the `project` fixture."""

import pytest
from django.db import connections

from apps.activity.models import Activity
from apps.files.models import File
from apps.permissions.models import Permission
from apps.presets.models import CollectionPreset
from apps.projects.context import using_project
from apps.revisions.models import Revision
from apps.schema import introspect, services
from apps.schema.cache import project_schema
from apps.settings.models import Setting
from tests.api.users.factories import EDITOR_TOKEN, client_with_token, grant, make_editor, make_file
from tests.blog import ID, admin_identity
from tests.conftest import ADMIN_TOKEN, remove_collections, rolled_back
from tests.helpers import assert_error

# What the file service alone sets; a nested object tries to choose each of them.
CHOSEN_FILE_COLUMNS = {
    "private_hash": "chosen0000000000",
    "type": "audio/mpeg,text/html",
    "filename_disk": "someone-elses.jpg",
    "checksum": "0" * 32,
    "filesize": 1,
    "storage": "s3",
    "uploaded_by": 1,
    "uploaded_on": "2001-01-01 00:00:00",
}


@pytest.fixture(scope="module")
def gallery_project(session_project, django_db_blocker):
    """`gallery` with relations into system collections: `image` (a file field), `cover` (a plain
    M2O to directus_files), `entry` (directus_revisions), `setting` (directus_settings) and
    `bookmark` (directus_collection_presets)."""
    alias = session_project.alias
    many_to_one = {"type": "m2o", "datatype": "INT"}
    with django_db_blocker.unblock(), using_project(session_project):
        before = set(introspect.table_names(alias))
        services.create_collection(
            {
                "collection": "gallery",
                "fields": [
                    ID,
                    {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
                    {"field": "image", "type": "file", "datatype": "INT"},
                    {"field": "cover", **many_to_one},
                    {"field": "entry", **many_to_one},
                    {"field": "setting", **many_to_one},
                    {"field": "bookmark", **many_to_one},
                ],
            },
            admin_identity(),
        )
        services.create_relations(
            [
                {"collection_many": "gallery", "field_many": field, "collection_one": target}
                for field, target in (
                    ("image", "directus_files"),
                    ("cover", "directus_files"),
                    ("entry", "directus_revisions"),
                    ("setting", "directus_settings"),
                    ("bookmark", "directus_collection_presets"),
                )
            ],
            admin_identity(),
        )
    yield session_project
    with django_db_blocker.unblock(), using_project(session_project):
        remove_collections(alias, set(introspect.table_names(alias)) - before)
        connections[alias].close_if_unusable_or_obsolete()


@pytest.fixture
def gallery(gallery_project, django_db_blocker):
    with django_db_blocker.unblock():
        with using_project(gallery_project), rolled_back("default", gallery_project.alias):
            yield gallery_project
        connections[gallery_project.alias].close_if_unusable_or_obsolete()


@pytest.fixture
def editor(gallery):
    """A non-admin with the default rows of a new role, free to write galleries."""
    user = make_editor()
    grant(user.role, "gallery", create="full", read="full", update="full", delete="full")
    return user


@pytest.fixture
def editor_api(editor):
    return client_with_token(EDITOR_TOKEN)


@pytest.fixture
def admin_api(gallery):
    return client_with_token(ADMIN_TOKEN)


def url(project, path: str) -> str:
    return f"/{project.key}/{path}"


def set_levels(role: int, collection: str, **levels) -> None:
    row = Permission.objects.get(role=role, collection=collection, status=None)
    for action, level in levels.items():
        setattr(row, action, level)
    row.save()  # saved one by one: the signal tells every worker the rows changed


def galleries() -> list[dict]:
    return list(project_schema().model("gallery").objects.values())


# -- file rows ------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["image", "cover"])
@pytest.mark.parametrize("who", ["editor", "admin"])
def test_a_nested_object_never_creates_a_file_row(gallery, editor_api, admin_api, field, who):
    client = editor_api if who == "editor" else admin_api
    files_before = File.objects.count()
    nested = {"filename_download": "page.html", "title": "Page", **CHOSEN_FILE_COLUMNS}
    response = client.post(url(gallery, "items/gallery"), {"title": "x", field: nested}, format="json")
    # What POST /files answers without content: only /files stores a file and describes it.
    message = assert_error(response, 422, 4)
    assert message == "data: This value should not be blank."
    with_data = client.post(url(gallery, "items/gallery"), {field: {**nested, "data": "aGk="}}, format="json")
    assert_error(with_data, 422, 4)
    assert File.objects.count() == files_before and galleries() == []


def test_a_nested_update_of_a_file_row_leaves_its_content_columns_alone(gallery, editor_api):
    file = make_file(filename_disk="mine.png", type="image/png", private_hash="own0000000000000", uploaded_by=1)
    before = File.objects.filter(pk=file.pk).values().get()
    chosen = {key: value for key, value in CHOSEN_FILE_COLUMNS.items() if key != "filename_disk"}
    nested = {"id": file.pk, "title": "Renamed title", "filename_download": "../../etc/passwd.png", **chosen}
    response = editor_api.post(url(gallery, "items/gallery"), {"title": "x", "cover": nested}, format="json")
    assert response.status_code == 200, response.content
    after = File.objects.filter(pk=file.pk).values().get()
    # As PATCH /files: the derived columns are ignored, the download name is one clean segment.
    assert after == {**before, "title": "Renamed title", "filename_download": "passwd.png"}

    rename = {"cover": {"id": file.pk, "filename_disk": "someone-elses.jpg"}}
    assert_error(editor_api.post(url(gallery, "items/gallery"), rename, format="json"), 422, 4)
    same_name = {"cover": {"id": file.pk, "filename_disk": "mine.png", "title": "Again"}}
    assert editor_api.post(url(gallery, "items/gallery"), same_name, format="json").status_code == 200
    assert File.objects.get(pk=file.pk).filename_disk == "mine.png"


# -- rows only their own services write --------------------------------------------------------


def test_history_and_settings_are_not_written_through_relations(gallery, editor, editor_api, admin_api):
    forged = {"activity": 1, "collection": "directus_users", "item": "1", "data": {"email": "x@example.com"}}
    for client in (editor_api, admin_api):
        before = Revision.objects.count()
        assert_error(client.post(url(gallery, "items/gallery"), {"entry": forged}, format="json"), 403, 301)
        assert Revision.objects.count() == before
    set_levels(editor.role, "directus_settings", create="full", update="full")
    setting = Setting.objects.create(key="nested_test_setting", value="Before")
    for client in (editor_api, admin_api):
        body = {"setting": {"key": "forged_setting", "value": "x"}}
        assert_error(client.post(url(gallery, "items/gallery"), body, format="json"), 403, 301)
        body = {"setting": {"id": setting.pk, "value": "After"}}
        assert_error(client.post(url(gallery, "items/gallery"), body, format="json"), 403, 302)
    assert not Setting.objects.filter(key="forged_setting").exists()
    assert Setting.objects.get(pk=setting.pk).value == "Before"
    assert galleries() == []


# -- presets ------------------------------------------------------------------------------------


def test_nested_presets_follow_the_preset_rules(gallery, editor, editor_api, admin_api):
    for bookmark in ({"collection": "gallery", "user": 1}, {"collection": "gallery", "role": 1}):
        response = editor_api.post(url(gallery, "items/gallery"), {"bookmark": bookmark}, format="json")
        assert_error(response, 403, 305)
    assert not CollectionPreset.objects.filter(collection="gallery").exists() and galleries() == []

    response = editor_api.post(url(gallery, "items/gallery"), {"bookmark": {"collection": "gallery"}}, format="json")
    assert response.status_code == 200, response.content
    preset = CollectionPreset.objects.get(collection="gallery")
    assert (preset.user, preset.role, preset.view_type) == (editor.pk, None, "tabular")
    # Presets never leave activity or revisions, written directly or through a relation.
    assert not Activity.objects.filter(collection="directus_collection_presets").exists()

    global_preset = CollectionPreset.objects.create(collection="gallery", title="Everyone's", view_type="tabular")
    set_levels(editor.role, "directus_collection_presets", update="full")
    moved = {"bookmark": {"id": global_preset.pk, "title": "Mine now", "user": editor.pk}}
    assert_error(editor_api.post(url(gallery, "items/gallery"), moved, format="json"), 403, 302)
    assert CollectionPreset.objects.get(pk=global_preset.pk).title == "Everyone's"
