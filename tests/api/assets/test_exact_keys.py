"""Secrets compare exactly on every engine: an asset key or a static token in another case, with
a trailing space or a trailing NUL names nothing (MariaDB's `utf8mb4_unicode_ci` would match)."""

from tests.api.files.helpers import upload
from tests.conftest import ADMIN_TOKEN
from tests.helpers import error_of


def near_misses(key: str) -> list[str]:
    return [key.upper(), key + "%00", key + "%20", key + "%00%00", key[:-1]]


def test_an_asset_key_matches_only_itself(admin_api, api, url, project, local_storage):
    response = upload(admin_api, url, b"some text", "a.txt")
    assert response.status_code == 200, response.content
    key = response.json()["data"]["private_hash"]
    assert key != key.upper()
    assert api.get(url(f"assets/{key}")).status_code == 200
    for other in near_misses(key):
        response = api.get(url(f"assets/{other}"))
        assert error_of(response) == (404, 203), other


def test_a_static_token_matches_only_itself(api, url, project):
    assert api.get(url("users/me"), {"access_token": ADMIN_TOKEN}).status_code == 200
    for other in (ADMIN_TOKEN.upper(), ADMIN_TOKEN + "\u0000", ADMIN_TOKEN + " ", ADMIN_TOKEN[:-1]):
        response = api.get(url("users/me"), {"access_token": other})
        assert error_of(response) == (401, 101), repr(other)
    response = api.get(url("users/me"), HTTP_AUTHORIZATION=f"Bearer {ADMIN_TOKEN.upper()}")
    assert error_of(response) == (401, 101)
