"""Which stored types an asset is shown inline with (deviation 14): only a single, well-formed
`type/subtype` that is safe to inline. Anything else (a list, parameters, stray text), as rows
written before the file service owned the `type` column or by Directus 8 may hold, is sent as an
octet-stream attachment under the restrictive Content-Security-Policy."""

import pytest

from apps.files.models import File
from tests.api.files.helpers import upload_base64

RESTRICTIVE_CSP = "default-src 'none'; sandbox"


@pytest.fixture
def stored_file(admin_api, url, project, local_storage):
    response = upload_base64(admin_api, url, b"<script>alert(document.domain)</script>", "note.txt")
    assert response.status_code == 200, response.content
    return response.json()["data"]


def served_with_type(api, url, file, stored_type: str):
    File.objects.filter(pk=file["id"]).update(type=stored_type)
    return api.get(url(f"assets/{file['private_hash']}"))


@pytest.mark.parametrize(
    "stored_type",
    [
        "audio/mpeg,text/html",
        "AUDIO/MPEG, TEXT/HTML",
        "video/mp4;charset=x,text/html",
        "audio/mpeg text/html",
        "audio/",
        "text/plain/html",
    ],
)
def test_anything_but_a_single_safe_type_is_an_attachment(api, url, stored_file, stored_type):
    response = served_with_type(api, url, stored_file, stored_type)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == RESTRICTIVE_CSP


@pytest.mark.parametrize("stored_type", ["audio/mpeg", "video/mp4", " text/plain "])
def test_a_single_safe_type_is_shown_inline(api, url, stored_file, stored_type):
    response = served_with_type(api, url, stored_file, stored_type)
    assert response["Content-Type"] == stored_type.strip()
    assert response["Content-Disposition"].startswith("inline")
    assert "Content-Security-Policy" not in response
