"""GET /:project/users/me (users.md)."""

import datetime

from apps.roles.models import ADMIN_ROLE_ID
from apps.users.models import User
from tests.conftest import ADMIN_EMAIL, ADMIN_TOKEN
from tests.helpers import assert_error, error_of

from .factories import EDITOR_EMAIL, EDITOR_TOKEN, make_file

USER_KEYS = [
    "id",
    "status",
    "role",
    "first_name",
    "last_name",
    "email",
    "token",
    "timezone",
    "locale",
    "locale_options",
    "avatar",
    "company",
    "title",
    "email_notifications",
    "last_access_on",
    "last_page",
    "external_id",
    "theme",
    "2fa_secret",
    "password_reset_token",
]


def test_public_caller_is_401_code_3(api, url):
    assert_error(api.get(url("users/me")), 401, 3)


def test_admin_gets_own_row_without_password(admin_api, url):
    User.objects.filter(pk=1).update(last_access_on=datetime.datetime(2020, 1, 13, 19, 55, 18, tzinfo=datetime.UTC))
    response = admin_api.get(url("users/me"))
    assert response.status_code == 200
    body = response.json()
    assert "public" not in body and "meta" not in body
    data = body["data"]
    assert list(data) == USER_KEYS
    assert "password" not in data
    assert data["id"] == 1
    assert data["email"] == ADMIN_EMAIL
    assert data["role"] == ADMIN_ROLE_ID
    assert data["status"] == "active"
    assert data["token"] == ADMIN_TOKEN
    assert data["email_notifications"] is True
    assert data["last_access_on"] == "2020-01-13 19:55:18"


def test_non_admin_gets_their_own_row(editor_api, editor, url):
    data = editor_api.get(url("users/me")).json()["data"]
    assert data["id"] == editor.pk
    assert data["email"] == EDITOR_EMAIL
    assert data["role"] == editor.role
    assert data["token"] == EDITOR_TOKEN  # the user themself sees it


def test_own_row_is_readable_without_any_permission_row(editor_api, editor, url):
    from apps.permissions.models import Permission

    Permission.objects.filter(role=editor.role).delete()
    data = editor_api.get(url("users/me")).json()["data"]
    assert data["id"] == editor.pk and data["token"] == EDITOR_TOKEN
    assert editor_api.get(url(f"users/{editor.pk}"), {"fields": "id"}).json()["data"] == {"id": editor.pk}
    assert error_of(editor_api.get(url("users"))) == (403, 300)
    assert error_of(editor_api.get(url("users/1"))) == (404, 203)


def test_named_fields(admin_api, url):
    data = admin_api.get(url("users/me"), {"fields": "email,id"}).json()["data"]
    assert data == {"email": ADMIN_EMAIL, "id": 1}


def test_fields_as_array(admin_api, url):
    data = admin_api.get(url("users/me") + "?fields[]=id&fields[]=first_name").json()["data"]
    assert data == {"id": 1, "first_name": "Admin"}


def test_password_is_never_returned_even_when_asked(admin_api, url):
    data = admin_api.get(url("users/me"), {"fields": "id,password"}).json()["data"]
    assert data == {"id": 1}


def test_exclusion(admin_api, url):
    data = admin_api.get(url("users/me"), {"fields": "*,-email,-token"}).json()["data"]
    assert "email" not in data and "token" not in data
    assert data["id"] == 1


def test_role_star_expands_the_role(admin_api, url, schema):
    data = admin_api.get(url("users/me"), {"fields": "id,role.*"}).json()["data"]
    assert data["id"] == 1
    assert data["role"]["id"] == ADMIN_ROLE_ID
    assert data["role"]["name"] == "Administrator"
    assert data["role"]["enforce_2fa"] is False
    assert "users" not in data["role"]  # O2M alias: not produced by a bare `*`


def test_role_dot_field(editor_api, editor, url, schema):
    data = editor_api.get(url("users/me"), {"fields": "role.name"}).json()["data"]
    assert data == {"role": {"name": "Editor"}}


def test_star_star_expands_role_and_avatar(admin_api, url, schema):
    data = admin_api.get(url("users/me"), {"fields": "*.*"}).json()["data"]
    assert list(data) == USER_KEYS
    assert data["role"]["id"] == ADMIN_ROLE_ID and data["role"]["name"] == "Administrator"
    assert data["avatar"] is None  # no avatar set


def test_without_expansion_role_stays_an_id(admin_api, url, schema):
    data = admin_api.get(url("users/me"), {"fields": "*"}).json()["data"]
    assert data["role"] == ADMIN_ROLE_ID


def test_avatar_star_is_the_file_object(admin_api, url, project, schema):
    file = make_file(filename_disk="a88c3b72.jpg", filename_download="avatar.jpg", type="image/jpeg")
    User.objects.filter(pk=1).update(avatar=file.pk)
    data = admin_api.get(url("users/me"), {"fields": "id,avatar.*"}).json()["data"]
    avatar = data["avatar"]
    assert avatar["id"] == file.pk
    assert avatar["filename_download"] == "avatar.jpg"
    assert avatar["uploaded_on"] == "2020-01-02 03:04:05"
    assert avatar["tags"] == []
    assert avatar["data"]["url"] == f"/uploads/{project.key}/originals/a88c3b72.jpg"
    assert avatar["data"]["full_url"] == f"http://testserver/uploads/{project.key}/originals/a88c3b72.jpg"
    assert avatar["data"]["asset_url"] == f"/{project.key}/assets/abcd1234abcd1234"
    keys = [thumb["key"] for thumb in avatar["data"]["thumbnails"]]
    assert "directus-small-crop" in keys and "thumbnail" in keys
    small = avatar["data"]["thumbnails"][keys.index("directus-small-crop")]
    assert small["relative_url"] == f"/{project.key}/assets/abcd1234abcd1234?key=directus-small-crop"
    assert small["dimension"] == "64x64"
    assert avatar["data"]["embed"] is None


def test_avatar_pointing_to_a_missing_file_is_null(admin_api, url, schema):
    User.objects.filter(pk=1).update(avatar=999999)
    data = admin_api.get(url("users/me"), {"fields": "avatar.*"}).json()["data"]
    assert data == {"avatar": None}


def test_nested_wildcard_expands_the_avatar_uploader(admin_api, url, schema):
    file = make_file()
    User.objects.filter(pk=1).update(avatar=file.pk)
    data = admin_api.get(url("users/me"), {"fields": "avatar.uploaded_by.email"}).json()["data"]
    assert data == {"avatar": {"uploaded_by": {"email": ADMIN_EMAIL}}}


def test_unknown_field_is_422_code_202(admin_api, url):
    message = assert_error(admin_api.get(url("users/me"), {"fields": "id,nope"}), 422, 202)
    assert message == 'Invalid field "nope" in "directus_users"'


def test_unknown_nested_field_is_left_out(admin_api, url, schema):
    # query.md: only unknown top-level names are 422 code 202 (the item engine's rule).
    response = admin_api.get(url("users/me"), {"fields": "role.nope,role.id"})
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {"role": {"id": 1}}


def test_public_check_comes_before_field_validation(api, url):
    assert_error(api.get(url("users/me"), {"fields": "nope"}), 401, 3)


def test_fields_deeper_than_the_limit_are_422(admin_api, url):
    fields = ".".join(["role"] * 12)
    # The item engine's query language answers code 4 (parameter validation, errors.md).
    assert_error(admin_api.get(url("users/me"), {"fields": fields}), 422, 4)


def test_meta_of_a_single_item(admin_api, url):
    body = admin_api.get(url("users/me"), {"meta": "*"}).json()
    assert body["meta"] == {"collection": "directus_users", "type": "item"}


def test_invalid_token_is_refused(api, url):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api.get(url("users/me")).status_code == 401


def test_reserved_first_segment_is_not_a_project(admin_api, project):
    assert admin_api.get("/server/users/me").status_code == 404
    assert error_of(admin_api.get("/types/users/me")) == (404, 1)
