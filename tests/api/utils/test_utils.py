"""/:project/utils/* (utils.md)."""

import hashlib

import pytest

from apps.core.passwords import check_password
from apps.utils.services import RANDOM_CHARACTERS, DirectusTOTP
from tests.helpers import assert_error

pytestmark = pytest.mark.engines("sqlite", "postgres")


def post(client, url, path, body):
    return client.post(url(path), body, format="json")


def test_core_hash_is_php_bcrypt_and_matches(api, url):
    response = post(api, url, "utils/hash", {"string": "secret"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["public"] is True  # the public role may call it
    hashed = body["data"]["hash"]
    assert hashed.startswith("$2y$")
    assert check_password("secret", hashed)
    response = post(api, url, "utils/hash/match", {"string": "secret", "hash": hashed})
    assert response.json()["data"] == {"valid": True}
    response = post(api, url, "utils/hash/match", {"string": "other", "hash": hashed})
    assert response.json()["data"] == {"valid": False}


def test_bcrypt_with_cost(admin_api, url):
    hashed = post(admin_api, url, "utils/hash", {"string": "x", "hasher": "bcrypt", "options": {"cost": 5}}).json()
    assert hashed["data"]["hash"].startswith("$2y$05$")
    assert "public" not in hashed
    matched = post(
        admin_api, url, "utils/hash/match", {"string": "x", "hash": hashed["data"]["hash"], "hasher": "bcrypt"}
    )
    assert matched.json()["data"]["valid"] is True


@pytest.mark.parametrize("cost", [3, 15, "high", True])
def test_bcrypt_cost_out_of_range_is_422_code_4(api, url, cost):
    assert_error(post(api, url, "utils/hash", {"string": "x", "hasher": "bcrypt", "options": {"cost": cost}}), 422, 4)


@pytest.mark.parametrize("hasher", ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"])
def test_hex_hashers(api, url, hasher):
    expected = hashlib.new(hasher, b"hello").hexdigest()
    response = post(api, url, "utils/hash", {"string": "hello", "hasher": hasher, "options": {"cost": 99}})
    assert response.json()["data"] == {"hash": expected}
    match = post(api, url, "utils/hash/match", {"string": "hello", "hash": expected, "hasher": hasher})
    assert match.json()["data"] == {"valid": True}
    wrong = post(api, url, "utils/hash/match", {"string": "hello", "hash": expected.upper(), "hasher": hasher})
    assert wrong.json()["data"] == {"valid": False}


def test_numbers_are_hashed_as_text(api, url):
    response = post(api, url, "utils/hash", {"string": 123, "hasher": "md5"})
    assert response.json()["data"]["hash"] == hashlib.md5(b"123").hexdigest()


def test_unknown_hasher_is_422_code_1000(api, url):
    assert_error(post(api, url, "utils/hash", {"string": "x", "hasher": "whirlpool"}), 422, 1000)
    assert_error(post(api, url, "utils/hash/match", {"string": "x", "hash": "y", "hasher": "rot13"}), 422, 1000)


def test_missing_values_are_422_code_4(api, url):
    assert_error(post(api, url, "utils/hash", {"hasher": "md5"}), 422, 4)
    assert_error(post(api, url, "utils/hash", {"string": ""}), 422, 4)
    assert_error(post(api, url, "utils/hash", {"string": ["a"]}), 422, 4)
    assert_error(post(api, url, "utils/hash/match", {"string": "x"}), 422, 4)
    assert_error(post(api, url, "utils/hash/match", {"hash": "x"}), 422, 4)


@pytest.mark.parametrize("path", ["utils/hash", "utils/hash/match", "utils/random/string"])
def test_empty_body_is_400_code_13(api, url, path):
    assert_error(api.post(url(path), "", content_type="application/json"), 400, 13)
    assert_error(api.post(url(path), "[1]", content_type="application/json"), 400, 13)
    assert_error(api.post(url(path), "{oops", content_type="application/json"), 400, 13)


def test_random_string(api, url):
    response = post(api, url, "utils/random/string", {"length": 50})
    assert response.status_code == 200
    random = response.json()["data"]["random"]
    assert len(random) == 50
    assert set(random) <= set(RANDOM_CHARACTERS)
    other = post(api, url, "utils/random/string", {"length": "50"}).json()["data"]["random"]
    assert other != random


@pytest.mark.engines("sqlite", "postgres", "mariadb")
@pytest.mark.parametrize("body", [{}, {"unused": 1}])
def test_random_string_default_length(api, url, body):
    response = post(api, url, "utils/random/string", body)
    assert response.status_code == 200, response.content
    assert len(response.json()["data"]["random"]) == 32


@pytest.mark.parametrize("length", ["ten", 0, -5, 1.5, 100_000, None])
def test_random_string_bad_length_is_422_code_4(api, url, length):
    assert_error(post(api, url, "utils/random/string", {"length": length}), 422, 4)


def test_form_encoded_body(api, url):
    response = api.post(url("utils/random/string"), {"length": "12"})
    assert len(response.json()["data"]["random"]) == 12


def test_two_factor_secret(api, url):
    response = api.get(url("utils/2fa_secret"))
    assert response.status_code == 200
    secret = response.json()["data"]["2fa_secret"]
    assert len(secret) == 16
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    totp = DirectusTOTP(secret)
    assert totp.verify(totp.now())
    assert api.get(url("utils/2fa_secret")).json()["data"]["2fa_secret"] != secret


def test_bad_token_is_refused(api, url):
    assert_error(api.get(url("utils/2fa_secret"), HTTP_AUTHORIZATION="Bearer wrong"), 401, 101)


def test_wrong_method_is_405_code_6(api, url):
    assert_error(api.get(url("utils/hash")), 405, 6)
