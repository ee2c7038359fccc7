"""POST/PATCH/DELETE /files on local storage and on an S3-compatible server: the three upload
forms, the metadata and `data` object, replacing, renaming and deleting, all-or-nothing."""

import base64
import hashlib
import io
import re

import pytest

from apps.activity.models import Activity
from apps.files.models import File
from apps.files.storage import ProjectStorage
from apps.revisions.models import Revision
from tests.api.files.helpers import (
    allow_url_imports,
    body_of,
    decode_image,
    image_bytes,
    storage_of,
    stored_names,
    thumbnail_paths,
    upload,
    upload_base64,
)
from tests.helpers import error_of

pytestmark = pytest.mark.engines("sqlite", "postgres")


def read_stored(project, name: str) -> bytes:
    stream = storage_of(project).open(name)
    try:
        return b"".join(stream)
    finally:
        stream.close()


def test_multipart_upload_fills_the_metadata_and_stores_the_content(admin_api, url, project, storage):
    content = image_bytes(40, 30)
    response = upload(admin_api, url, content, "My Holiday_photo.png", title="", tags="sea,sun")
    assert response.status_code == 200, response.content
    file = response.json()["data"]

    assert file["type"] == "image/png" and file["charset"] == "binary"
    assert (file["width"], file["height"], file["filesize"]) == (40, 30, len(content))
    assert file["checksum"] == hashlib.md5(content).hexdigest()
    assert re.fullmatch(r"[0-9a-z]{16}", file["private_hash"])
    assert re.fullmatch(r"[0-9a-f-]{36}\.png", file["filename_disk"])
    assert file["filename_download"] == "My Holiday_photo.png"
    assert file["title"] == "My Holiday Photo"
    assert file["tags"] == ["sea", "sun"]
    assert file["uploaded_by"] == 1 and file["uploaded_on"]
    assert file["storage"] == storage
    assert read_stored(project, file["filename_disk"]) == content

    data = file["data"]
    if storage == "local":
        assert data["url"] == f"/uploads/{project.key}/originals/{file['filename_disk']}"
        assert data["full_url"] == "http://testserver" + data["url"]
    else:  # the object in the bucket (test_file_urls.py)
        assert data["url"] == data["full_url"] and data["url"].endswith(f"/originals/{file['filename_disk']}")
    assert data["asset_url"] == f"/{project.key}/assets/{file['private_hash']}"
    assert [thumb["key"] for thumb in data["thumbnails"]][-1] == "thumbnail"
    assert data["thumbnails"][0]["relative_url"] == data["asset_url"] + "?key=directus-small-crop"
    assert data["embed"] is None

    activity = Activity.objects.get(collection="directus_files", item=str(file["id"]))
    assert activity.action == "upload"
    revision = Revision.objects.get(activity=activity.pk)
    assert "data" not in revision.delta and revision.delta["checksum"] == file["checksum"]


def test_base64_and_data_uri_uploads_trust_the_content_not_the_client(admin_api, url, project, storage):
    jpeg = image_bytes(20, 10, "JPEG")
    response = upload_base64(admin_api, url, jpeg, "scan.png")  # named .png, is a jpeg
    assert response.status_code == 200, response.content
    file = response.json()["data"]
    assert file["type"] == "image/jpeg" and file["filename_disk"].endswith(".jpg")
    assert (file["width"], file["height"]) == (20, 10)
    assert read_stored(project, file["filename_disk"]) == jpeg

    gif = image_bytes(5, 6, "GIF", mode="P", color=1)
    uri = "data:text/plain;base64," + base64.b64encode(gif).decode()
    response = admin_api.post(url("files"), {"data": uri, "filename_download": "a.gif"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["type"] == "image/gif"

    text = admin_api.post(
        url("files"), {"data": base64.b64encode(b"a,b\n1,2\n").decode(), "filename_download": "t.csv"}, format="json"
    )
    assert text.json()["data"]["type"] == "text/csv" and text.json()["data"]["charset"] == "us-ascii"


def test_url_import_downloads_from_an_allowed_host(admin_api, url, project, storage, settings, web_server):
    base, routes = web_server.base, web_server.routes
    content = image_bytes(12, 8)
    routes["/pics/cat.png"] = (200, {"Content-Type": "image/png"}, content)
    routes["/moved"] = (302, {"Location": "/pics/cat.png"}, b"")
    allow_url_imports(settings, "127.0.0.1/32")

    response = admin_api.post(url("files"), {"data": base() + "/moved"}, format="json")
    assert response.status_code == 200, response.content
    file = response.json()["data"]
    assert file["filename_download"] == "cat.png" and file["title"] == "Cat"
    assert (file["type"], file["width"], file["height"]) == ("image/png", 12, 8)
    assert read_stored(project, file["filename_disk"]) == content

    routes["/page"] = (200, {"Content-Type": "text/html"}, b"<html></html>")
    refused = admin_api.post(url("files"), {"data": base() + "/page"}, format="json")
    assert error_of(refused) == (422, 4)


def test_video_links_become_embeds_without_downloading(admin_api, url):
    response = admin_api.post(url("files"), {"data": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}, format="json")
    assert response.status_code == 200, response.content
    file = response.json()["data"]
    assert (file["type"], file["embed"], file["filesize"]) == ("embed/youtube", "dQw4w9WgXcQ", 0)
    assert "youtube.com/embed/dQw4w9WgXcQ" in file["data"]["embed"]["html"]
    vimeo = admin_api.post(url("files"), {"data": "https://vimeo.com/76979871"}, format="json").json()["data"]
    assert vimeo["data"]["embed"]["url"] == "https://vimeo.com/76979871"


def test_replacing_the_content_removes_the_old_file_and_its_thumbnails(admin_api, url, project, storage):
    file = upload(admin_api, url, image_bytes(40, 30), "a.png").json()["data"]
    thumb = admin_api.get(url(f"assets/{file['private_hash']}"), {"key": "directus-small-crop"})
    assert thumb.status_code == 200 and thumbnail_paths(project)

    new = image_bytes(50, 60, "JPEG")
    response = upload_patch(admin_api, url, file["id"], new, "b.jpg")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert isinstance(data, list) and len(data) == 1  # files.md: a one-element array
    replaced = data[0]
    assert (replaced["type"], replaced["width"], replaced["height"]) == ("image/jpeg", 50, 60)
    assert replaced["private_hash"] == file["private_hash"] and replaced["filename_download"] == "b.jpg"
    assert replaced["filename_disk"] != file["filename_disk"]
    assert stored_names(project) == {replaced["filename_disk"]}
    assert thumbnail_paths(project) == set()
    image = decode_image(admin_api.get(url(f"assets/{file['private_hash']}"), {"key": "directus-small-contain"}))
    assert image.size == (53, 64) and image.format == "JPEG"

    b64 = admin_api.patch(
        url(f"files/{file['id']}"), {"data": base64.b64encode(image_bytes(3, 3)).decode()}, format="json"
    )
    assert b64.status_code == 200 and b64.json()["data"][0]["filename_download"] == "b.jpg"
    assert b64.json()["data"][0]["type"] == "image/png"


def upload_patch(api, url, pk, content, name):
    handle = io.BytesIO(content)
    handle.name = name
    return api.patch(url(f"files/{pk}"), {"file": handle}, format="multipart")


def test_metadata_edits_and_renames(admin_api, url, project, storage):
    file = upload(admin_api, url, image_bytes(), "a.png").json()["data"]
    response = admin_api.patch(
        url(f"files/{file['id']}"),
        {"title": "Renamed", "description": "d", "filesize": 1, "type": "text/html", "filename_disk": "../../cat.png"},
        format="json",
    )
    assert response.status_code == 200, response.content
    edited = response.json()["data"][0]
    assert (edited["title"], edited["description"]) == ("Renamed", "d")
    assert edited["filesize"] == file["filesize"] and edited["type"] == "image/png"  # derived: not the client's
    assert edited["filename_disk"] == "cat.png"
    assert stored_names(project) == {"cat.png"}

    other = upload(admin_api, url, image_bytes(), "b.png").json()["data"]
    clash = admin_api.patch(url(f"files/{other['id']}"), {"filename_disk": "cat.png"}, format="json")
    assert error_of(clash) == (422, 4)
    assert stored_names(project) == {"cat.png", other["filename_disk"]}

    batch = admin_api.patch(
        url("files"), [{"id": file["id"], "title": "One"}, {"id": other["id"], "title": "Two"}], format="json"
    )
    assert [item["title"] for item in batch.json()["data"]] == ["One", "Two"]
    csv = admin_api.patch(url(f"files/{file['id']},{other['id']}"), {"location": "Here"}, format="json")
    assert [item["location"] for item in csv.json()["data"]] == ["Here", "Here"]
    with_data = admin_api.patch(url(f"files/{file['id']},{other['id']}"), {"data": "aGk="}, format="json")
    assert error_of(with_data) == (400, 15)
    array_data = admin_api.patch(url("files"), [{"id": file["id"], "data": "aGk="}], format="json")
    assert error_of(array_data) == (400, 15)


def test_delete_removes_the_file_and_its_thumbnails(admin_api, url, project, storage):
    keep = upload(admin_api, url, image_bytes(), "keep.png").json()["data"]
    file = upload(admin_api, url, image_bytes(), "gone.png").json()["data"]
    for key in ("directus-small-crop", "thumbnail"):
        assert admin_api.get(url(f"assets/{file['private_hash']}"), {"key": key}).status_code == 200
    assert len(thumbnail_paths(project)) == 2

    assert admin_api.delete(url(f"files/{file['id']}")).status_code == 204
    assert stored_names(project) == {keep["filename_disk"]}
    assert thumbnail_paths(project) == set()
    assert not File.objects.filter(pk=file["id"]).exists()
    assert Activity.objects.filter(collection="directus_files", item=str(file["id"]), action="delete").exists()
    assert admin_api.get(url(f"assets/{file['private_hash']}")).status_code == 404
    assert error_of(admin_api.delete(url(f"files/{file['id']}"))) == (404, 203)


def test_a_failed_database_write_leaves_no_stored_file(admin_api, url, project, storage):
    before = File.objects.count()
    response = upload(admin_api, url, image_bytes(), "a.png", folder="not-a-number")
    assert response.status_code == 422, response.content
    assert stored_names(project) == set() and File.objects.count() == before

    file = upload(admin_api, url, image_bytes(), "a.png").json()["data"]
    replaced = upload_patch_with(admin_api, url, file["id"], image_bytes(8, 8), folder="x")
    assert replaced.status_code == 422
    assert stored_names(project) == {file["filename_disk"]}
    assert File.objects.get(pk=file["id"]).filename_disk == file["filename_disk"]


def upload_patch_with(api, url, pk, content, **fields):
    handle = io.BytesIO(content)
    handle.name = "n.png"
    return api.patch(url(f"files/{pk}"), {"file": handle, **fields}, format="multipart")


def test_a_failed_store_writes_no_row(admin_api, url, project, storage, monkeypatch):
    def broken(self, name, fileobj):
        raise OSError("disk full")

    monkeypatch.setattr(ProjectStorage, "save", broken)
    before = File.objects.count()
    response = upload(admin_api, url, image_bytes(), "a.png")
    assert error_of(response) == (500, 600)
    assert File.objects.count() == before


def test_file_name_naming_sanitises_and_deduplicates(admin_api, url, project, local_storage):
    from tests.api.users.factories import set_setting

    set_setting("file_naming", "file_name")
    first = upload_base64(admin_api, url, image_bytes(), "../../My Photo (1).PNG").json()["data"]
    assert first["filename_disk"] == "my-photo-1.png" and first["filename_download"] == "My Photo (1).PNG"
    second = upload_base64(admin_api, url, image_bytes(), "/etc/My Photo (1).png").json()["data"]
    assert second["filename_disk"] == "my-photo-1-1.png"
    assert stored_names(project) == {"my-photo-1.png", "my-photo-1-1.png"}


def test_reads_go_through_the_item_engine(admin_api, url, project, local_storage):
    from apps.folders.models import Folder

    folder = Folder.objects.create(name="Pets")
    cat = upload(admin_api, url, image_bytes(), "cat.png", folder=str(folder.pk)).json()["data"]
    upload(admin_api, url, image_bytes(), "dog.png")
    listed = admin_api.get(url("files"), {"filter[folder][eq]": folder.pk, "fields": "id,folder.name,data"})
    assert listed.status_code == 200, listed.content
    assert listed.json()["data"] == [{"id": cat["id"], "folder": {"name": "Pets"}, "data": cat["data"]}]
    one = admin_api.get(url(f"files/{cat['id']}"), {"fields": "id,title", "filter[id][eq]": 0})
    assert one.json()["data"] == {"id": cat["id"], "title": "Cat"}  # only fields/meta are forwarded
    assert error_of(admin_api.get(url("files/999999"))) == (404, 203)
    revisions = admin_api.get(url(f"files/{cat['id']}/revisions")).json()["data"]
    assert len(revisions) == 1 and revisions[0]["collection"] == "directus_files"


def test_upload_requests_are_validated(admin_api, url, project, local_storage):
    missing = admin_api.post(url("files"), {"title": "no data"}, format="json")
    assert error_of(missing) == (422, 4)
    array = admin_api.post(url("files"), [{"data": "aGk="}], format="json")
    assert error_of(array) == (400, 15)
    unknown = upload(admin_api, url, image_bytes(), "a.png", colour="red")
    assert error_of(unknown) == (422, 12)
    one, two = io.BytesIO(b"a"), io.BytesIO(b"b")
    one.name, two.name = "a.txt", "b.txt"
    several = admin_api.post(url("files"), {"a": one, "b": two}, format="multipart")
    assert error_of(several) == (400, 15)
    assert stored_names(project) == set()


def test_mimetype_whitelist(admin_api, url, project, local_storage):
    from tests.api.users.factories import set_setting

    set_setting("file_mimetype_whitelist", "image/*,application/pdf")
    assert upload(admin_api, url, image_bytes(), "a.png").status_code == 200
    refused = upload(admin_api, url, b"just text", "a.txt")
    assert error_of(refused) == (422, 4)
    assert len(stored_names(project)) == 1


def test_the_public_may_not_upload(api, url, project, local_storage, settings, web_server):
    response = upload(api, url, image_bytes(), "a.png")
    assert response.status_code in {401, 403}, response.content
    # Nothing is downloaded for a caller who may not create files.
    allow_url_imports(settings, "127.0.0.1")
    web_server.routes["/a.png"] = (200, {"Content-Type": "image/png"}, image_bytes())
    fetched = api.post(url("files"), {"data": web_server.base() + "/a.png"}, format="json")
    assert fetched.status_code in {401, 403} and web_server.hits == []
    assert stored_names(project) == set() and not File.objects.exists()


def test_original_content_is_served_back(admin_api, api, url, storage):
    content = image_bytes(9, 9)
    file = upload(admin_api, url, content, "a.png").json()["data"]
    response = api.get(url(f"assets/{file['private_hash']}"))
    assert response.status_code == 200 and body_of(response) == content


def test_roles_upload_with_their_permission_rows(editor_api, url, project, local_storage):
    from apps.permissions.models import Permission
    from apps.permissions.services import create_default_permissions
    from apps.schema.cache import config_changed
    from apps.users.models import User

    role = User.objects.get(email="editor@example.com").role
    Permission.objects.filter(role=role).delete()
    denied = upload(editor_api, url, image_bytes(), "a.png")
    assert error_of(denied) == (403, 301)
    assert stored_names(project) == set()

    create_default_permissions(role)
    rows = Permission.objects.filter(role=role, collection="directus_files")
    # Values the server derives are not the caller's writes: a blacklist on them doesn't block uploads.
    rows.update(write_field_blacklist=["checksum", "filesize", "title"])
    config_changed(rows.db)  # .update() sends no signal
    response = upload(editor_api, url, image_bytes(), "a.png")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["uploaded_by"] == User.objects.get(email="editor@example.com").pk
    blocked = upload(editor_api, url, image_bytes(), "b.png", title="Mine")
    assert error_of(blocked) == (403, 305)
    assert len(stored_names(project)) == 1
