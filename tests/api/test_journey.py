"""The first minutes of a client on each engine: ping, project info, login, me, settings."""

from django.test import override_settings

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.helpers import error_of


def test_a_client_signs_in_and_reads_its_world(api, url):
    assert api.get("/server/ping").content == b"pong"

    info = api.get(url())
    assert info.status_code == 200 and info.json()["public"] is True
    assert "version" not in info.json()["data"]["api"]

    login = api.post(url("auth/authenticate"), {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, format="json")
    assert login.status_code == 200, login.content
    token = login.json()["data"]["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    info = api.get(url()).json()
    assert "public" not in info and info["data"]["api"]["version"] == "8.8.1"
    assert isinstance(info["data"]["server"]["max_upload_size"], int)

    me = api.get(url("users/me"), {"fields": "*,role.*"}).json()["data"]
    assert me["email"] == ADMIN_EMAIL and me["role"]["id"] == 1 and me["role"]["name"] == "Administrator"
    assert "password" not in me

    settings = api.get(url("settings")).json()["data"]
    by_key = {row["key"]: row["value"] for row in settings}
    assert by_key["project_name"] == "My Project" and by_key["default_limit"] == 200


def test_bodies_over_the_limit_are_refused_with_413(api, url):
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        response = api.post(url("auth/authenticate"), {"email": ADMIN_EMAIL, "password": "x" * 5000}, format="json")
    assert error_of(response) == (413, 13)


def test_a_token_of_one_project_is_refused_by_another(api, url, engine, django_db_blocker):
    from tests.conftest import drop_project, make_project

    login = api.post(url("auth/authenticate"), {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, format="json")
    token = login.json()["data"]["token"]
    other = make_project(engine, "iso", admin_token="other-token")
    try:
        response = api.get(f"/{other.key}/users/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert error_of(response) == (401, 101)
        response = api.get(f"/{other.key}/users/me", HTTP_AUTHORIZATION="Bearer admin-static-token")
        assert error_of(response) == (401, 101)
        assert api.get(f"/{other.key}/users/me", HTTP_AUTHORIZATION="Bearer other-token").status_code == 200
    finally:
        drop_project(other)


def test_password_hashes_cannot_be_probed_even_by_admins(admin_api, url):
    for params in ({"filter[password][contains]": "$2y"}, {"sort": "password"}, {"fields": "id,password"}):
        response = admin_api.get(url("users"), params)
        assert response.status_code in (403, 422), (params, response.content)
        assert "$2" not in response.content.decode()
