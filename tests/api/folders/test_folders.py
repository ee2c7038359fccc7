"""/folders through the item engine (folders.md), on every engine."""

from rest_framework.test import APIClient

from apps.activity.models import Activity
from apps.folders.models import Folder
from tests.api.files.helpers import image_bytes, upload
from tests.helpers import error_of


def test_folder_crud(admin_api, url, project):
    created = admin_api.post(url("folders"), {"name": "Amsterdam"}, format="json")
    assert created.status_code == 200, created.content
    parent = created.json()["data"]
    assert parent == {"id": parent["id"], "name": "Amsterdam", "parent_folder": None}
    child = admin_api.post(url("folders"), {"name": "Canals", "parent_folder": parent["id"]}, format="json")
    child = child.json()["data"]
    assert child["parent_folder"] == parent["id"]

    listed = admin_api.get(url("folders"), {"sort": "name", "meta": "total_count"}).json()
    assert [row["name"] for row in listed["data"]] == ["Amsterdam", "Canals"] and listed["meta"]["total_count"] == 2
    expanded = admin_api.get(url(f"folders/{child['id']}"), {"fields": "name,parent_folder.name"}).json()["data"]
    assert expanded == {"name": "Canals", "parent_folder": {"name": "Amsterdam"}}

    patched = admin_api.patch(url(f"folders/{child['id']}"), {"name": "Bridges"}, format="json")
    assert patched.json()["data"]["name"] == "Bridges"
    assert Activity.objects.filter(collection="directus_folders", item=str(child["id"]), action="update").exists()

    assert admin_api.delete(url(f"folders/{parent['id']}")).status_code == 204
    # Children keep their (now dangling) reference.
    assert Folder.objects.get(pk=child["id"]).parent_folder == parent["id"]
    assert error_of(admin_api.get(url(f"folders/{parent['id']}"))) == (404, 203)


def test_folder_validation(admin_api, url, project):
    missing = admin_api.post(url("folders"), {"parent_folder": None}, format="json")
    assert error_of(missing) == (422, 4)
    folder = admin_api.post(url("folders"), {"name": "Docs"}, format="json").json()["data"]
    for empty in (None, ""):
        response = admin_api.patch(url(f"folders/{folder['id']}"), {"name": empty}, format="json")
        assert error_of(response) == (422, 4)
    admin_api.post(url("folders"), {"name": "Sub", "parent_folder": folder["id"]}, format="json")
    duplicate = admin_api.post(url("folders"), {"name": "Sub", "parent_folder": folder["id"]}, format="json")
    assert error_of(duplicate) == (409, 204)
    assert error_of(admin_api.get(url("folders/abc"))) == (404, 1)  # numeric ids only
    assert error_of(admin_api.patch(url("folders/999999"), {"name": "x"}, format="json")) == (404, 203)
    assert error_of(admin_api.delete(url("folders/999999"))) == (404, 203)


def test_deleting_a_folder_keeps_its_files(admin_api, url, project, local_storage):
    folder = admin_api.post(url("folders"), {"name": "Pets"}, format="json").json()["data"]
    file = upload(admin_api, url, image_bytes(), "cat.png", folder=str(folder["id"])).json()["data"]
    listed = admin_api.get(url("files"), {"filter[folder][eq]": folder["id"], "fields": "id"}).json()["data"]
    assert listed == [{"id": file["id"]}]
    assert admin_api.delete(url(f"folders/{folder['id']}")).status_code == 204
    kept = admin_api.get(url(f"files/{file['id']}"), {"fields": "id,folder"}).json()["data"]
    assert kept == {"id": file["id"], "folder": folder["id"]}


def test_public_and_role_access(editor_api, url, project):
    from apps.permissions.models import Permission
    from apps.permissions.services import create_default_permissions
    from apps.users.models import User

    assert APIClient().get(url("folders")).status_code in {401, 403}
    assert APIClient().post(url("folders"), {"name": "x"}, format="json").status_code in {401, 403}
    editor = User.objects.get(email="editor@example.com")
    if not Permission.objects.filter(role=editor.role, collection="directus_folders").exists():
        create_default_permissions(editor.role)
    created = editor_api.post(url("folders"), {"name": "Mine"}, format="json")
    assert created.status_code == 200, created.content
    assert editor_api.get(url("folders")).json()["data"][0]["name"] == "Mine"
