"""The limits of the bcrypt routes (deviations.md § Limits): a cost of at most 12, and calls without
a token count as login attempts of the caller's address."""

import pytest

from tests.api.auth.conftest import clean_throttles, login  # noqa: F401 (clean_throttles: autouse)
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.helpers import assert_error

# A well-formed bcrypt hash of cost 13 (never computed: checking it is what must not happen).
COST_13_HASH = "$2y$13$" + "a" * 53


@pytest.fixture
def three_attempts_per_ip(settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "LOGIN_ATTEMPTS_PER_IP": 3}


def bcrypt_hash(client, url, cost):
    return client.post(url("utils/hash"), {"string": "x", "hasher": "bcrypt", "options": {"cost": cost}}, format="json")


def test_cost_12_is_the_highest(admin_api, url):
    response = bcrypt_hash(admin_api, url, 12)

    assert response.status_code == 200
    hashed = response.json()["data"]["hash"]
    assert hashed.startswith("$2y$12$")
    match = admin_api.post(url("utils/hash/match"), {"string": "x", "hash": hashed, "hasher": "bcrypt"}, format="json")
    assert match.json()["data"] == {"valid": True}


def test_cost_13_is_refused(api, admin_api, url):
    message = assert_error(bcrypt_hash(admin_api, url, 13), 422, 4)
    assert "12" in message
    assert_error(bcrypt_hash(api, url, "13"), 422, 4)


@pytest.mark.parametrize("hasher", ["core", "bcrypt"])
def test_matching_a_hash_of_cost_13_is_refused(api, url, hasher):
    body = {"string": "x", "hash": COST_13_HASH, "hasher": hasher}
    assert_error(api.post(url("utils/hash/match"), body, format="json"), 422, 4)


@pytest.mark.parametrize("path", ["utils/hash", "utils/hash/match"])
def test_calls_without_token_count_as_login_attempts(api, url, three_attempts_per_ip, path):
    body = {"string": "x", "hash": "$2y$04$" + "b" * 53}
    for _ in range(3):
        assert api.post(url(path), body, format="json").status_code == 200

    refused = api.post(url(path), body, format="json")

    assert refused.status_code == 429
    assert refused.json() == {"error": {"code": 7, "message": "Too Many Requests"}}
    assert 1 <= int(refused["Retry-After"]) <= 60
    # The address's login budget is the one spent.
    assert login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 429
    assert api.post(url(path), body, format="json", REMOTE_ADDR="10.9.9.9").status_code == 200


def test_calls_with_a_token_do_not_count(admin_api, url, three_attempts_per_ip):
    for _ in range(4):
        assert admin_api.post(url("utils/hash"), {"string": "x"}, format="json").status_code == 200
    assert login(admin_api, url, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200
