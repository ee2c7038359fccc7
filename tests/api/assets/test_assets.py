"""GET /:project/assets/:key — originals and thumbnails, on local storage and on S3: whitelist
rules, Pillow-decoded sizes, caching in the thumbnail storage, conditional requests, and files
left by Directus 8 in its originals/generated layout."""

import io

import pytest
from PIL import Image

from apps.files.models import File
from tests.api.files.helpers import (
    body_of,
    decode_image,
    image_bytes,
    storage_of,
    thumbnail_paths,
    upload,
    use_storage,
)
from tests.api.users.factories import make_file, set_setting
from tests.helpers import error_of

pytestmark = pytest.mark.engines("sqlite", "postgres")


@pytest.fixture
def photo(admin_api, url, project, storage):
    response = upload(admin_api, url, image_bytes(400, 200, "JPEG"), "photo.jpg")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def asset(api, url, file, **params):
    return api.get(url(f"assets/{file['private_hash']}"), params)


def test_presets_render_the_size_they_name(api, url, project, photo, storage):
    for key, size in (
        ("directus-small-crop", (64, 64)),
        ("directus-medium-contain", (300, 150)),
        ("directus-large-crop", (800, 600)),
        ("thumbnail", (200, 100)),
    ):
        response = asset(api, url, photo, key=key)
        assert response.status_code == 200, (key, response.content)
        assert response["Content-Type"] == "image/jpeg"
        image = decode_image(response)
        assert (image.format, image.size) == ("JPEG", size), key
    assert len(thumbnail_paths(project)) == 4
    assert "w64,h64,fcrop,q80/" + photo["filename_disk"] in thumbnail_paths(project)


def test_thumbnails_are_rendered_once_then_served_from_storage(api, url, project, photo, storage, monkeypatch):
    first = asset(api, url, photo, key="thumbnail")
    assert first.status_code == 200
    from apps.assets import thumbnails

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered twice")

    monkeypatch.setattr(thumbnails, "render", no_rendering)
    second = asset(api, url, photo, key="thumbnail")
    assert second.status_code == 200 and body_of(second) == body_of(first)


def test_explicit_parameters_must_match_the_whitelist(api, url, project, photo):
    assert decode_image(asset(api, url, photo, w=200, h=200, f="contain", q=80)).size == (200, 100)
    assert decode_image(asset(api, url, photo, w=64, h=64, f="crop", q=80)).size == (64, 64)  # a system preset
    outside = asset(api, url, photo, w=201, h=200, f="contain", q=80)
    assert error_of(outside) == (422, 12)
    unknown_key = asset(api, url, photo, key="huge")
    assert error_of(unknown_key) == (422, 12)
    for params in ({"w": 200, "h": 200, "f": "contain"}, {"w": "x", "h": 200, "f": "crop", "q": 80}):
        incomplete = asset(api, url, photo, **params)
        assert error_of(incomplete) == (422, 4)
    bad_fit = asset(api, url, photo, w=200, h=200, f="stretch", q=80)
    assert error_of(bad_fit) == (422, 4)


def test_an_empty_whitelist_allows_any_size_within_the_limits(api, url, project, photo):
    set_setting("asset_whitelist", "[]")
    assert decode_image(asset(api, url, photo, w=30, h=20, f="crop", q=50)).size == (30, 20)
    assert decode_image(asset(api, url, photo, w=4096, h=1, f="crop", q=1)).size == (4096, 1)
    for params in ({"w": 4097, "h": 1, "f": "crop", "q": 80}, {"w": 1, "h": 4097, "f": "crop", "q": 80}):
        response = asset(api, url, photo, **params)
        assert error_of(response) == (422, 12)
    for quality in (0, 101):
        response = asset(api, url, photo, w=30, h=20, f="crop", q=quality)
        assert error_of(response) == (422, 4)
    assert decode_image(asset(api, url, photo, w=30, h=20, f="crop", q=100)).size == (30, 20)


def test_output_format_and_transparent_sources(admin_api, api, url, project, local_storage):
    file = upload(admin_api, url, image_bytes(50, 50, "PNG", color=(0, 0, 0, 0), mode="RGBA"), "t.png").json()["data"]
    png = asset(api, url, file, key="directus-small-contain")
    assert png["Content-Type"] == "image/png" and decode_image(png).mode == "RGBA"
    webp = asset(api, url, file, key="directus-small-contain", format="webp")
    assert webp["Content-Type"] == "image/webp" and decode_image(webp).format == "WEBP"
    jpg = asset(api, url, file, key="directus-small-contain", format="jpg")
    assert decode_image(jpg).getpixel((10, 10)) == (255, 255, 255)
    bad = asset(api, url, file, key="directus-small-contain", format="exe")
    assert error_of(bad) == (422, 4)


def test_originals_are_streamed_with_validators(api, url, project, photo, storage):
    response = asset(api, url, photo)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "image/jpeg" and response["Content-Length"] == str(photo["filesize"])
    assert response["Content-Disposition"] == 'inline; filename="photo.jpg"'
    assert response["ETag"] and response["Last-Modified"]
    assert "Cache-Control" not in response
    download = asset(api, url, photo, download="")
    assert download["Content-Disposition"] == 'attachment; filename="photo.jpg"'
    head = api.head(url(f"assets/{photo['private_hash']}"))
    assert head.status_code == 200 and head["Content-Length"] == str(photo["filesize"]) and body_of(head) == b""


def test_conditional_requests(admin_api, api, url, project, photo, storage):
    first = asset(api, url, photo, key="thumbnail")
    etag, modified = first["ETag"], first["Last-Modified"]
    same = api.get(url(f"assets/{photo['private_hash']}"), {"key": "thumbnail"}, HTTP_IF_NONE_MATCH=etag)
    assert same.status_code == 304 and same["ETag"] == etag and body_of(same) == b""
    listed = api.get(url(f"assets/{photo['private_hash']}"), HTTP_IF_NONE_MATCH=f'"nope", {etag}')
    assert listed.status_code == 200  # the thumbnail's tag is not the original's
    since = api.get(url(f"assets/{photo['private_hash']}"), HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304
    earlier = api.get(url(f"assets/{photo['private_hash']}"), HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT")
    assert earlier.status_code == 200

    handle = io.BytesIO(image_bytes(30, 30, "JPEG"))
    handle.name = "new.jpg"
    assert admin_api.patch(url(f"files/{photo['id']}"), {"file": handle}, format="multipart").status_code == 200
    changed = api.get(url(f"assets/{photo['private_hash']}"), {"key": "thumbnail"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert decode_image(changed).size == (200, 200)


def test_cache_control_follows_the_setting(api, url, project, photo):
    set_setting("thumbnail_cache_ttl", "86400")
    assert asset(api, url, photo)["Cache-Control"] == "max-age=86400, public"


def test_unknown_and_missing(admin_api, api, url, project, local_storage):
    unknown = api.get(url("assets/0000000000000000"))
    assert error_of(unknown) == (404, 203)
    row = make_file(filename_disk="nowhere.png", type="image/png", private_hash="missing000000000")
    for params in ({}, {"key": "thumbnail"}):
        response = api.get(url(f"assets/{row.private_hash}"), params)
        assert error_of(response) == (422, 12)


def test_assets_need_no_authentication(api, url, project, photo):
    response = api.get(url(f"assets/{photo['private_hash']}"), HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 200


def test_filename_download_naming(api, url, project, photo):
    set_setting("asset_url_naming", "filename_download")
    assert api.get(url("assets/photo.jpg")).status_code == 200
    assert api.get(url(f"assets/{photo['private_hash']}")).status_code == 404


def test_directus8_layout_is_found(api, url, project, local_storage, settings):
    """An adopted project whose storage points at Directus 8's public/uploads/<project> folders."""
    old = settings.DATA_DIR / "d8" / project.key
    (old / "originals").mkdir(parents=True)
    (old / "generated" / "w200,h200,fcontain,q80").mkdir(parents=True)
    original = image_bytes(300, 300, "JPEG")
    (old / "originals" / "a88c3b72.jpg").write_bytes(original)
    marker = image_bytes(7, 7, "JPEG")  # what Directus 8 generated earlier, served as it is
    (old / "generated" / "w200,h200,fcontain,q80" / "a88c3b72.jpg").write_bytes(marker)
    use_storage(project, {"root": str(old / "originals"), "thumb_root": str(old / "generated")})
    row = make_file(filename_disk="a88c3b72.jpg", type="image/jpeg", private_hash="pnw7s9lqy68048g0", filesize=1)

    assert body_of(api.get(url(f"assets/{row.private_hash}"))) == original
    assert body_of(api.get(url(f"assets/{row.private_hash}"), {"key": "thumbnail"})) == marker
    fresh = api.get(url(f"assets/{row.private_hash}"), {"key": "directus-small-crop"})
    assert decode_image(fresh).size == (64, 64)
    assert (old / "generated" / "w64,h64,fcrop,q80" / "a88c3b72.jpg").exists()
    File.objects.filter(pk=row.pk).delete()


def test_s3_thumbnails_live_in_the_bucket(admin_api, api, url, project, local_storage, s3_endpoint):
    import boto3

    from tests.api.files.helpers import BUCKET, S3_OPTIONS

    use_storage(project, {**S3_OPTIONS, "endpoint_url": s3_endpoint, "root": "x/o", "thumb_root": "x/g"})
    file = upload(admin_api, url, image_bytes(90, 90), "s.png").json()["data"]
    assert decode_image(asset(api, url, file, key="directus-small-crop")).size == (64, 64)
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1"
    )
    keys = {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET, Prefix="x/")["Contents"]}
    assert keys == {f"x/o/{file['filename_disk']}", f"x/g/w64,h64,fcrop,q80/{file['filename_disk']}"}
    image = Image.open(io.BytesIO(client.get_object(Bucket=BUCKET, Key=f"x/o/{file['filename_disk']}")["Body"].read()))
    assert image.size == (90, 90)
    assert storage_of(project).adapter == "s3"
    admin_api.delete(url(f"files/{file['id']}"))
    assert "Contents" not in client.list_objects_v2(Bucket=BUCKET, Prefix="x/")
