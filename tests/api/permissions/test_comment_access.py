"""Commenting needs read access to the item (deviation 22): an item the caller may not read
answers like a missing one, so comments tell nothing about which items exist."""

import pytest

from apps.activity.models import Activity
from apps.permissions.models import Permission
from tests.api.users.factories import make_file
from tests.helpers import assert_error


@pytest.fixture
def commenter(editor):
    """The editor may read (and comment on) only the files they uploaded."""
    row = Permission.objects.get(role=editor.role, collection="directus_files", status=None)
    row.read, row.comment = "mine", "create"
    row.save()
    return editor


def comment_on(client, url, item, text="Seen"):
    return client.post(url("activity/comment"), {"collection": "directus_files", "item": item, "comment": text})


def test_unreadable_and_missing_items_look_alike(commenter, editor_api, url):
    own = make_file(uploaded_by=commenter.pk, private_hash="own0000000000000")
    admins = make_file(uploaded_by=1, private_hash="adm0000000000000", filename_disk="admin.svg")
    assert comment_on(editor_api, url, own.pk).status_code == 200

    unreadable = comment_on(editor_api, url, admins.pk, "Probe")
    missing = comment_on(editor_api, url, admins.pk + 1000, "Probe")
    assert_error(unreadable, 404, 203)
    assert_error(missing, 404, 203)
    assert not Activity.objects.filter(comment="Probe").exists()


def test_comments_on_an_item_no_longer_readable_are_not_edited(commenter, editor_api, url):
    file = make_file(uploaded_by=commenter.pk)
    comment = comment_on(editor_api, url, file.pk).json()["data"]
    file.uploaded_by = 1
    file.save()
    response = editor_api.patch(url(f"activity/comment/{comment['id']}"), {"comment": "Edited"}, format="json")
    assert_error(response, 404, 203)
    assert Activity.objects.get(pk=comment["id"]).comment == "Seen"


def test_only_the_author_edits_or_deletes_a_comment(commenter, editor_api, admin_api, url):
    """Whatever the comment level, another user's comment is refused with the code of the action
    (activity.md: 211 to edit, 212 to delete)."""
    row = Permission.objects.get(role=commenter.role, collection="directus_files", status=None)
    row.comment = "full"
    row.save()
    file = make_file(uploaded_by=commenter.pk)
    admins = admin_api.post(
        url("activity/comment"), {"collection": "directus_files", "item": file.pk, "comment": "Mine"}
    )
    pk = admins.json()["data"]["id"]
    assert_error(editor_api.patch(url(f"activity/comment/{pk}"), {"comment": "Edited"}, format="json"), 403, 211)
    assert_error(editor_api.delete(url(f"activity/comment/{pk}")), 403, 212)
    assert Activity.objects.filter(pk=pk, comment="Mine", comment_deleted_on=None).exists()
