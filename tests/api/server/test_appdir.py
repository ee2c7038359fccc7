"""The Directus admin app served from DIRECTUS_APP_DIR at /admin/ (apps.server.appdir)."""

import pytest

from tests.helpers import error_of

pytestmark = pytest.mark.engines("sqlite")

INDEX = b"<!doctype html><title>Directus</title>"


@pytest.fixture
def app_dir(tmp_path, settings):
    root = tmp_path / "app"
    (root / "js").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "js" / "app.1234.js").write_bytes(b"console.log(1)")
    (root / "style.css").write_bytes(b"body{}")
    (tmp_path / "secret.txt").write_bytes(b"top secret")
    settings.DIRECTUS = {**settings.DIRECTUS, "APP_DIR": str(root)}
    return root


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_route_not_found(response):
    assert error_of(response) == (404, 1), response


def test_not_configured_is_404(api, project, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "APP_DIR": ""}
    assert_route_not_found(api.get("/admin/"))
    assert_route_not_found(api.get("/admin/js/app.js"))


def test_missing_folder_is_404(api, project, settings, tmp_path):
    settings.DIRECTUS = {**settings.DIRECTUS, "APP_DIR": str(tmp_path / "nope")}
    assert_route_not_found(api.get("/admin/"))


def test_root_redirects_to_the_app(api, project, app_dir):
    response = api.get("/")
    assert response.status_code == 302
    assert response["Location"] == "./admin/"
    assert response.content == b""


@pytest.mark.parametrize("configured", ["", "nope"])
def test_root_without_an_app_answers_itself(api, project, settings, tmp_path, configured):
    settings.DIRECTUS = {**settings.DIRECTUS, "APP_DIR": configured and str(tmp_path / configured)}
    response = api.get("/")
    assert response.status_code == 200
    assert response.json() == {"data": {"api": "directus", "version": "8.8.1"}, "public": True}


def test_index_served(api, project, app_dir):
    response = api.get("/admin/")
    assert response.status_code == 200
    assert body(response) == INDEX
    assert response["Content-Type"].startswith("text/html")


def test_assets_with_their_content_types(api, project, app_dir):
    response = api.get("/admin/js/app.1234.js")
    assert response.status_code == 200
    assert body(response) == b"console.log(1)"
    assert "javascript" in response["Content-Type"]
    response = api.get("/admin/style.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


def test_missing_asset_is_404(api, project, app_dir):
    assert_route_not_found(api.get("/admin/js/missing.js"))


def test_client_side_routes_fall_back_to_index(api, project, app_dir):
    for path in ("/admin/collections/articles", "/admin/login", "/admin/js/"):
        response = api.get(path)
        assert response.status_code == 200, path
        assert body(response) == INDEX


@pytest.mark.parametrize(
    "path",
    [
        "/admin/../../etc/passwd",
        "/admin/../secret.txt",
        "/admin/js/../../secret.txt",
        "/admin/%2e%2e/secret.txt",
        "/admin/%2E%2E%2Fsecret.txt",
        "/admin/..%2f..%2fetc%2fpasswd",
        "/admin/..%5csecret.txt",
        "/admin/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
        "/admin//etc/passwd",
        "/admin/%2fetc%2fpasswd",
        "/admin/%252e%252e%252fsecret.txt",
        "/admin/C:%5cWindows%5cwin.ini",
    ],
)
def test_traversal_refused(api, project, app_dir, path):
    response = api.get(path)
    content = body(response)
    assert b"top secret" not in content
    assert b"root:" not in content
    assert response.status_code in (200, 400, 404)
    if response.status_code == 200:  # a client-side route of the app at most
        assert content == INDEX


def test_symlink_out_of_the_folder_refused(api, project, app_dir):
    (app_dir / "escape.txt").symlink_to(app_dir.parent / "secret.txt")
    response = api.get("/admin/escape.txt")
    assert_route_not_found(response)
