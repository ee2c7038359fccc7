"""Deviation 18: a file storage that cannot be reached answers 503 with Retry-After, writes no file
row, and leaves the rest of the API working. The store is an S3 endpoint on a loopback port
nothing listens on."""

import socket

from apps.files.models import File
from tests.api.files.helpers import S3_OPTIONS, image_bytes, upload, use_storage
from tests.api.users.factories import make_file
from tests.helpers import error_of


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_unavailable(response):
    assert error_of(response) == (503, 0), response.content
    assert int(response["Retry-After"]) > 0


def test_an_unreachable_storage_answers_503_and_writes_nothing(admin_api, url, project, caplog):
    use_storage(project, {**S3_OPTIONS, "endpoint_url": f"http://127.0.0.1:{closed_port()}"})
    before = File.objects.count()
    assert_unavailable(upload(admin_api, url, image_bytes(), "photo.png"))
    assert File.objects.count() == before
    stored = make_file(private_hash="unreachablehash1", filename_disk="gone.png", type="image/png")
    assert_unavailable(admin_api.get(url(f"assets/{stored.private_hash}")))
    assert_unavailable(admin_api.get(url(f"assets/{stored.private_hash}"), {"key": "directus-small-crop"}))
    # What needs no storage still answers.
    listed = admin_api.get(url("files"))
    assert listed.status_code == 200 and stored.pk in {row["id"] for row in listed.json()["data"]}
    assert "Could not connect to the endpoint URL" in caplog.text
