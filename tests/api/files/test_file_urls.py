"""A file's `url` and `full_url` resolve (files.md § data): local storage is served at
/uploads/<project>/originals/<name> under the rules of /assets (deviation 14); on S3 they are the
object's URL in the bucket."""

import boto3

from tests.api.files.helpers import S3_OPTIONS, body_of, image_bytes, upload, upload_base64, use_storage
from tests.helpers import error_of

RESTRICTIVE_CSP = "default-src 'none'; sandbox"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'


def stored(admin_api, url, content: bytes, name: str) -> dict:
    response = upload(admin_api, url, content, name)
    assert response.status_code == 200, response.content
    return response.json()["data"]


def test_local_files_are_served_at_their_url(admin_api, api, url, project, local_storage):
    png = image_bytes()
    data = stored(admin_api, url, png, "photo.png")["data"]
    assert data["url"].startswith(f"/uploads/{project.key}/originals/")
    assert data["full_url"] == "http://testserver" + data["url"]
    response = api.get(data["url"])  # no token: a public URL, as Directus 8's web server served it
    assert response.status_code == 200
    assert body_of(response) == png
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "Content-Security-Policy" not in response
    assert api.get(data["url"], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_active_content_is_an_attachment_under_a_restrictive_policy(admin_api, api, url, local_storage):
    for content, name in ((SVG, "drawing.svg"), (b"<script>alert(1)</script>", "page.html")):
        file = upload_base64(admin_api, url, content, name, filename_disk=name).json()["data"]
        response = api.get(file["data"]["url"])
        assert response.status_code == 200
        assert body_of(response) == content
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Security-Policy"] == RESTRICTIVE_CSP
        assert response["X-Content-Type-Options"] == "nosniff"


def test_only_files_of_the_project_are_served(admin_api, api, url, project, local_storage):
    data = stored(admin_api, url, image_bytes(), "photo.png")["data"]
    name = data["url"].rsplit("/", 1)[1]
    for path in (f"/uploads/{project.key}/originals/other.png", f"/uploads/{project.key}/originals/..%2F{name}"):
        response = api.get(path)
        assert error_of(response) in ((404, 1), (404, 203))
    response = api.get(f"/uploads/no-such-project/originals/{name}")
    assert error_of(response) == (401, 3)


def test_s3_files_point_at_the_bucket(admin_api, api, url, project, s3_endpoint):
    use_storage(project, {**S3_OPTIONS, "endpoint_url": s3_endpoint, "root": f"{project.key}-urls/originals"})
    png = image_bytes()
    data = stored(admin_api, url, png, "photo.png")["data"]
    name = data["url"].rsplit("/", 1)[1]
    bucket = f"{s3_endpoint}/{S3_OPTIONS['bucket']}"
    assert data["url"] == data["full_url"] == f"{bucket}/{project.key}-urls/originals/{name}"
    # The URL names the stored object (who may read it anonymously is the bucket's policy).
    client = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id="t", aws_secret_access_key="t")
    key = data["url"].removeprefix(bucket + "/")
    assert client.get_object(Bucket=S3_OPTIONS["bucket"], Key=key)["Body"].read() == png
    assert api.get(f"/uploads/{project.key}/originals/{name}").status_code == 404
