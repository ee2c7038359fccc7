"""/:project/settings (settings.md)."""

import json

import pytest

from apps.permissions.models import Permission
from apps.settings.models import Setting
from tests.api.users.factories import grant, make_file, set_setting
from tests.helpers import assert_error, error_of


def setting_id(key: str) -> int:
    return Setting.objects.get(key=key).pk


def stored(key: str):
    return Setting.objects.get(key=key).value


# -- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "settings", None),
        ("get", "settings/fields", None),
        ("get", "settings/1", None),
        ("post", "settings", {"key": "x", "value": "y"}),
        ("patch", "settings", [{"id": 1, "value": "y"}]),
        ("patch", "settings/1", {"value": "y"}),
        ("delete", "settings/1", None),
    ],
)
def test_public_is_401_code_3_everywhere(api, url, method, path, body):
    response = getattr(api, method)(url(path), body, format="json")
    assert_error(response, 401, 3)
    assert Setting.objects.filter(key="x").count() == 0


def test_non_admin_may_read(editor_api, url, schema):
    assert editor_api.get(url("settings")).status_code == 200
    assert editor_api.get(url("settings/fields")).status_code == 200
    assert editor_api.get(url(f"settings/{setting_id('project_name')}")).status_code == 200


def test_non_admin_may_not_create(editor_api, url):
    assert_error(editor_api.post(url("settings"), {"key": "x", "value": "y"}, format="json"), 403, 301)
    assert not Setting.objects.filter(key="x").exists()


def test_non_admin_may_not_update(editor_api, url):
    pk = setting_id("project_name")
    assert_error(editor_api.patch(url(f"settings/{pk}"), {"value": "Hacked"}, format="json"), 403, 302)
    assert_error(editor_api.patch(url("settings"), [{"id": pk, "value": "Hacked"}], format="json"), 403, 302)
    assert stored("project_name") != "Hacked"


def test_non_admin_may_not_delete(editor_api, url):
    pk = setting_id("project_name")
    assert_error(editor_api.delete(url(f"settings/{pk}")), 403, 303)
    assert Setting.objects.filter(pk=pk).exists()


def settings_rows(role: int, **levels) -> None:
    """Replace the role's row on directus_settings."""
    Permission.objects.filter(role=role, collection="directus_settings").delete()
    grant(role, "directus_settings", **levels)


def test_other_roles_follow_their_permission_rows(editor_api, editor, url):
    """As on every item route: no read row hides every setting (one read by id looks missing),
    a read blacklist hides the field, write rows allow writes (write blacklist included), and a
    write the caller may not read back answers 204."""
    pk = setting_id("project_name")
    settings_rows(editor.role)
    assert_error(editor_api.get(url(f"settings/{pk}")), 404, 203)
    assert_error(editor_api.get(url(f"settings/{pk},1")), 403, 300)
    assert_error(editor_api.get(url("settings")), 403, 300)
    assert_error(editor_api.get(url("settings/fields")), 403, 300)

    settings_rows(editor.role, read="full", read_field_blacklist=["value"])
    assert editor_api.get(url(f"settings/{pk}")).json()["data"] == {"id": pk, "key": "project_name"}
    assert_error(editor_api.get(url(f"settings/{pk}"), {"fields": "value"}), 403, 304)

    settings_rows(editor.role, create="full", update="full")
    response = editor_api.patch(url(f"settings/{pk}"), {"value": "Renamed"}, format="json")
    assert response.status_code == 204 and response.content == b""
    assert stored("project_name") == "Renamed"
    assert editor_api.post(url("settings"), {"key": "new_key", "value": "x"}, format="json").status_code == 204
    assert stored("new_key") == "x"
    assert_error(editor_api.delete(url(f"settings/{pk}")), 403, 303)

    settings_rows(editor.role, create="full", update="full", write_field_blacklist=["key"])
    assert_error(editor_api.patch(url(f"settings/{pk}"), {"key": "renamed"}, format="json"), 403, 305)
    assert_error(editor_api.patch(url("settings"), [{"id": pk, "key": "renamed"}], format="json"), 403, 305)
    assert_error(editor_api.post(url("settings"), {"key": "other_key"}, format="json"), 403, 305)
    assert Setting.objects.filter(key="project_name").exists() and not Setting.objects.filter(key="other_key").exists()

    settings_rows(editor.role, read="full", update="full", read_field_blacklist=["value"])
    response = editor_api.patch(url(f"settings/{pk}"), {"value": "Again"}, format="json")
    assert response.json()["data"] == {"id": pk, "key": "project_name"}


# -- GET /settings ---------------------------------------------------------------------------


def test_list_is_typed_by_field_type(admin_api, url, schema):
    set_setting("telemetry", "1")
    set_setting("sort_null_last", "0")
    set_setting("default_limit", "200")
    body = admin_api.get(url("settings"), {"limit": -1}).json()
    assert "public" not in body
    values = {row["key"]: row["value"] for row in body["data"]}
    assert values["telemetry"] is True
    assert values["sort_null_last"] is False
    assert values["default_limit"] == 200
    assert values["project_color"] == "#263238"
    assert values["project_logo"] is None  # file type, empty
    # json and array keys stay the stored text
    assert isinstance(values["asset_whitelist"], str)
    assert json.loads(values["asset_whitelist"])[0]["key"] == "thumbnail"
    assert values["file_mimetype_whitelist"] == ""
    assert set(body["data"][0]) == {"id", "key", "value"}


def test_list_file_setting_is_the_file_object(admin_api, url, project, schema):
    file = make_file()
    set_setting("project_logo", str(file.pk))
    body = admin_api.get(url("settings"), {"limit": -1}).json()
    logo = next(row for row in body["data"] if row["key"] == "project_logo")["value"]
    assert logo["id"] == file.pk
    assert logo["filename_disk"] == "logo.svg"
    assert logo["type"] == "image/svg+xml"
    assert logo["data"]["asset_url"] == f"/{project.key}/assets/abcd1234abcd1234"
    assert logo["data"]["url"] == f"/uploads/{project.key}/originals/logo.svg"
    assert logo["data"]["thumbnails"] is None  # svg
    assert logo["data"]["embed"] is None


def test_list_file_setting_pointing_nowhere_is_null(admin_api, url, schema):
    set_setting("project_logo", "999999")
    body = admin_api.get(url("settings"), {"limit": -1}).json()
    assert next(row for row in body["data"] if row["key"] == "project_logo")["value"] is None


def test_list_fields_limit_offset_and_meta(admin_api, url):
    total = Setting.objects.count()
    ids = list(Setting.objects.order_by("id").values_list("id", flat=True))
    body = admin_api.get(
        url("settings"), {"fields": "id", "limit": 2, "offset": 1, "meta": "total_count,result_count"}
    ).json()
    assert body["data"] == [{"id": ids[1]}, {"id": ids[2]}]
    assert body["meta"] == {"total_count": total, "result_count": 2}


def test_list_page(admin_api, url):
    ids = list(Setting.objects.order_by("id").values_list("id", flat=True))
    body = admin_api.get(url("settings"), {"fields": "id", "limit": 3, "page": 2}).json()
    assert body["data"] == [{"id": pk} for pk in ids[3:6]]


def test_list_default_limit_comes_from_the_setting(admin_api, url):
    set_setting("default_limit", "3")
    assert len(admin_api.get(url("settings")).json()["data"]) == 3
    assert len(admin_api.get(url("settings"), {"limit": "-1"}).json()["data"]) == Setting.objects.count()


def test_list_limit_zero_is_an_empty_list(admin_api, url):
    response = admin_api.get(url("settings"), {"limit": 0})
    assert response.status_code == 200
    assert response.json()["data"] == []


def test_list_bad_limit_is_422(admin_api, url):
    assert_error(admin_api.get(url("settings"), {"limit": "lots"}), 422, 4)


def test_list_sort(admin_api, url):
    keys = admin_api.get(url("settings"), {"fields": "key", "sort": "-key", "limit": -1}).json()["data"]
    names = [row["key"] for row in keys]
    assert names == sorted(names, reverse=True)
    assert_error(admin_api.get(url("settings"), {"sort": "nope"}), 422, 202)


def test_list_single(admin_api, url, schema):
    set_setting("telemetry", "0")
    body = admin_api.get(url("settings"), {"single": 1, "sort": "key", "fields": "key,value"}).json()
    first_key = sorted(Setting.objects.values_list("key", flat=True))[0]
    assert isinstance(body["data"], dict)
    assert body["data"]["key"] == first_key
    telemetry = admin_api.get(url("settings"), {"single": 1, "offset": 0, "sort": "-key"}).json()["data"]
    assert telemetry["key"] == max(Setting.objects.values_list("key", flat=True))


def test_list_single_typed(admin_api, url, schema):
    Setting.objects.exclude(key="telemetry").delete()
    set_setting("telemetry", "0")
    body = admin_api.get(url("settings"), {"single": "true"}).json()
    assert body["data"]["key"] == "telemetry" and body["data"]["value"] is False


def test_list_single_without_rows_is_404(admin_api, url):
    Setting.objects.all().delete()
    assert_error(admin_api.get(url("settings"), {"single": 1}), 404, 203)
    assert admin_api.get(url("settings")).json() == {"data": []}


def test_list_unknown_field_is_422_code_202(admin_api, url):
    message = assert_error(admin_api.get(url("settings"), {"fields": "id,nope"}), 422, 202)
    assert message == 'Invalid field "nope" in "directus_settings"'


def test_setting_keys_are_not_fields_of_the_collection(admin_api, url, schema):
    # directus_fields rows of directus_settings describe keys (some are alias dividers), not columns.
    assert_error(admin_api.get(url("settings"), {"fields": "data_divider"}), 422, 202)
    assert_error(admin_api.get(url("settings"), {"fields": "project_logo"}), 422, 202)


# -- GET /settings/fields ---------------------------------------------------------------------


def test_fields_lists_the_settings_form(admin_api, url, schema):
    body = admin_api.get(url("settings/fields")).json()
    rows = body["data"]
    assert rows and all(row["collection"] == "directus_settings" for row in rows)
    by_field = {row["field"]: row for row in rows}
    assert by_field["telemetry"]["type"] == "boolean"
    assert by_field["project_logo"]["type"] == "file"
    assert isinstance(by_field["telemetry"]["locked"], bool)
    assert isinstance(by_field["telemetry"]["required"], bool)


def test_fields_decodes_json_columns(admin_api, url, schema):
    from apps.schema.models import Field

    Field.objects.filter(collection="directus_settings", field="project_color").update(
        options='{"allow_other":true}', translation='[{"locale":"nl-NL","translation":"Kleur"}]'
    )
    rows = admin_api.get(url("settings/fields")).json()["data"]
    color = next(row for row in rows if row["field"] == "project_color")
    assert color["options"] == {"allow_other": True}
    assert color["translation"] == [{"locale": "nl-NL", "translation": "Kleur"}]


def test_fields_honours_fields_param(admin_api, url, schema):
    rows = admin_api.get(url("settings/fields"), {"fields": "field,type"}).json()["data"]
    assert rows and all(set(row) == {"field", "type"} for row in rows)
    assert_error(admin_api.get(url("settings/fields"), {"fields": "nope"}), 422, 202)


# -- GET /settings/:id ------------------------------------------------------------------------


def test_read_one_is_raw(admin_api, url, schema):
    row = set_setting("telemetry", "1")
    body = admin_api.get(url(f"settings/{row.pk}")).json()
    assert body == {"data": {"id": row.pk, "key": "telemetry", "value": "1"}}


def test_read_csv_is_a_list(admin_api, url):
    a, b = setting_id("project_name"), setting_id("project_color")
    body = admin_api.get(url(f"settings/{b},{a},999999")).json()
    assert [row["id"] for row in body["data"]] == [b, a]


def test_read_with_fields_and_meta(admin_api, url):
    pk = setting_id("project_color")
    body = admin_api.get(url(f"settings/{pk}"), {"fields": "value", "meta": "*"}).json()
    assert body == {"data": {"value": "#263238"}, "meta": {"collection": "directus_settings", "type": "item"}}


def test_read_unknown_id_is_404_code_203(admin_api, url):
    assert_error(admin_api.get(url("settings/999999")), 404, 203)


def test_read_non_numeric_id_is_not_a_route(admin_api, url):
    assert_error(admin_api.get(url("settings/abc")), 404, 1)


# -- POST /settings ----------------------------------------------------------------------------


def test_create_one(admin_api, url):
    response = admin_api.post(url("settings"), {"key": "custom_key", "value": "hello"}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    row = Setting.objects.get(key="custom_key")
    assert data == {"id": row.pk, "key": "custom_key", "value": "hello"}
    assert row.value == "hello"


def test_create_applies_the_write_transform_and_echoes_the_posted_value(admin_api, url, schema):
    Setting.objects.filter(key__in=["asset_whitelist", "file_mimetype_whitelist", "project_logo"]).delete()
    file = make_file()
    whitelist = [{"key": "card", "width": 100, "height": 100, "fit": "crop", "quality": 80}]

    data = admin_api.post(url("settings"), {"key": "asset_whitelist", "value": whitelist}, format="json").json()["data"]
    assert data["value"] == whitelist
    assert json.loads(stored("asset_whitelist")) == whitelist

    data = admin_api.post(
        url("settings"), {"key": "file_mimetype_whitelist", "value": ["image/*", "application/pdf"]}, format="json"
    ).json()["data"]
    assert data["value"] == ["image/*", "application/pdf"]
    assert stored("file_mimetype_whitelist") == "image/*,application/pdf"

    posted = {"id": file.pk, "filename_disk": "logo.svg"}
    data = admin_api.post(url("settings"), {"key": "project_logo", "value": posted}, format="json").json()["data"]
    assert data["value"] == posted
    assert stored("project_logo") == str(file.pk)


def test_create_empty_value_is_null(admin_api, url):
    admin_api.post(url("settings"), {"key": "blank", "value": ""}, format="json")
    assert stored("blank") is None


def test_create_boolean_and_number_values_are_stored_as_text(admin_api, url):
    admin_api.post(url("settings"), [{"key": "flag", "value": True}, {"key": "n", "value": 5}], format="json")
    assert stored("flag") == "1"
    assert stored("n") == "5"


def test_create_batch(admin_api, url):
    response = admin_api.post(url("settings"), [{"key": "a1", "value": "x"}, {"key": "a2"}], format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert [row["key"] for row in data] == ["a1", "a2"]
    assert data[1]["value"] is None
    assert stored("a1") == "x"


def test_create_duplicate_key_is_409_code_204(admin_api, url):
    before = Setting.objects.count()
    message = assert_error(
        admin_api.post(url("settings"), {"key": "project_name", "value": "x"}, format="json"), 409, 204
    )
    assert "project_name" in message
    assert Setting.objects.count() == before


def test_create_batch_with_a_duplicate_writes_nothing(admin_api, url):
    before = Setting.objects.count()
    body = [{"key": "fresh_one", "value": "1"}, {"key": "project_name", "value": "x"}]
    assert_error(admin_api.post(url("settings"), body, format="json"), 409, 204)
    assert Setting.objects.count() == before
    assert not Setting.objects.filter(key="fresh_one").exists()


def test_create_batch_duplicate_inside_the_batch_writes_nothing(admin_api, url):
    body = [{"key": "twin", "value": "1"}, {"key": "twin", "value": "2"}]
    assert_error(admin_api.post(url("settings"), body, format="json"), 409, 204)
    assert not Setting.objects.filter(key="twin").exists()


@pytest.mark.parametrize("body", [{"value": "x"}, {"key": "", "value": "x"}, {"key": None}])
def test_create_without_key_is_422_code_4(admin_api, url, body):
    before = Setting.objects.count()
    assert_error(admin_api.post(url("settings"), body, format="json"), 422, 4)
    assert Setting.objects.count() == before


def test_create_batch_with_one_item_missing_its_key_writes_nothing(admin_api, url):
    body = [{"key": "ok_key", "value": "1"}, {"value": "2"}]
    assert_error(admin_api.post(url("settings"), body, format="json"), 422, 4)
    assert not Setting.objects.filter(key="ok_key").exists()


def test_create_unknown_payload_field_is_422_code_12(admin_api, url):
    assert_error(admin_api.post(url("settings"), {"key": "k", "value": "v", "nope": 1}, format="json"), 422, 12)
    assert not Setting.objects.filter(key="k").exists()


def test_create_array_value_for_an_untyped_key_is_422_code_213(admin_api, url):
    assert_error(admin_api.post(url("settings"), {"key": "k", "value": ["a"]}, format="json"), 422, 213)


def test_create_key_too_long_is_422(admin_api, url):
    assert_error(admin_api.post(url("settings"), {"key": "k" * 65, "value": "v"}, format="json"), 422, 12)


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b"{}", b'"text"', b"12"])
def test_create_malformed_or_empty_body_is_400_code_13(admin_api, url, raw):
    before = Setting.objects.count()
    response = admin_api.generic("POST", url("settings"), raw, content_type="application/json")
    assert_error(response, 400, 13)
    assert Setting.objects.count() == before


def test_create_with_form_body(admin_api, url):
    response = admin_api.post(url("settings"), {"key": "from_form", "value": "v"})
    assert response.status_code == 200
    assert stored("from_form") == "v"


def test_create_response_honours_fields(admin_api, url):
    data = admin_api.post(url("settings") + "?fields=key", {"key": "k2", "value": "v"}, format="json").json()
    assert data == {"data": {"key": "k2"}}


def test_create_with_bad_fields_param_writes_nothing(admin_api, url):
    assert_error(admin_api.post(url("settings") + "?fields=nope", {"key": "k3", "value": "v"}, format="json"), 422, 202)
    assert not Setting.objects.filter(key="k3").exists()


# -- PATCH /settings/:id -----------------------------------------------------------------------


def test_update_one(admin_api, url):
    pk = setting_id("project_name")
    response = admin_api.patch(url(f"settings/{pk}"), {"value": "Thumper"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"data": {"id": pk, "key": "project_name", "value": "Thumper"}}
    assert stored("project_name") == "Thumper"


def test_update_applies_the_write_transform(admin_api, url, schema):
    pk = setting_id("file_mimetype_whitelist")
    data = admin_api.patch(url(f"settings/{pk}"), {"value": ["image/png", "image/jpeg"]}, format="json").json()
    assert data["data"]["value"] == ["image/png", "image/jpeg"]
    assert stored("file_mimetype_whitelist") == "image/png,image/jpeg"

    pk = setting_id("asset_whitelist")
    admin_api.patch(url(f"settings/{pk}"), {"value": []}, format="json")
    assert stored("asset_whitelist") is None


def test_update_file_setting_answers_the_file_object(admin_api, url, schema):
    file = make_file()
    pk = setting_id("project_logo")
    data = admin_api.patch(url(f"settings/{pk}"), {"value": {"id": file.pk}}, format="json").json()["data"]
    assert stored("project_logo") == str(file.pk)
    assert data["value"]["id"] == file.pk
    assert data["value"]["data"]["url"].endswith("/logo.svg")


def test_update_key_to_an_existing_key_is_409(admin_api, url):
    pk = setting_id("project_name")
    assert_error(admin_api.patch(url(f"settings/{pk}"), {"key": "project_color"}, format="json"), 409, 204)
    assert Setting.objects.get(pk=pk).key == "project_name"


def test_update_unknown_id_is_404_code_203(admin_api, url):
    assert_error(admin_api.patch(url("settings/999999"), {"value": "x"}, format="json"), 404, 203)


def test_update_empty_body_is_400_code_13(admin_api, url):
    pk = setting_id("project_name")
    assert_error(admin_api.generic("PATCH", url(f"settings/{pk}"), b"", content_type="application/json"), 400, 13)
    assert_error(admin_api.generic("PATCH", url(f"settings/{pk}"), b"{oops", content_type="application/json"), 400, 13)


def test_update_csv_ids_applies_the_same_change(admin_api, url):
    a, b = setting_id("project_url"), setting_id("app_url")
    response = admin_api.patch(url(f"settings/{a},{b}"), {"value": "https://example.com"}, format="json")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["data"]] == [a, b]
    assert stored("project_url") == stored("app_url") == "https://example.com"


def test_update_csv_with_an_unknown_id_writes_nothing(admin_api, url):
    a = setting_id("project_url")
    assert_error(admin_api.patch(url(f"settings/{a},999999"), {"value": "changed"}, format="json"), 404, 203)
    assert stored("project_url") != "changed"


# -- PATCH /settings ---------------------------------------------------------------------------


def test_batch_update(admin_api, url):
    a, b = setting_id("project_name"), setting_id("project_color")
    body = [{"id": a, "value": "Thumper"}, {"id": b, "value": "#4CAF50"}]
    response = admin_api.patch(url("settings"), body, format="json")
    assert response.status_code == 200
    assert response.json()["data"] == [
        {"id": a, "key": "project_name", "value": "Thumper"},
        {"id": b, "key": "project_color", "value": "#4CAF50"},
    ]
    assert stored("project_color") == "#4CAF50"


def test_batch_update_with_one_bad_item_writes_nothing(admin_api, url):
    a = setting_id("project_name")
    before = stored("project_name")
    assert_error(
        admin_api.patch(url("settings"), [{"id": a, "value": "X"}, {"id": 999999, "value": "Y"}], format="json"),
        404,
        203,
    )
    assert stored("project_name") == before
    assert_error(admin_api.patch(url("settings"), [{"id": a, "value": "X"}, {"value": "Y"}], format="json"), 422, 12)
    assert stored("project_name") == before
    b = setting_id("project_color")
    body = [{"id": a, "value": "X"}, {"id": b, "key": "project_url"}]
    assert_error(admin_api.patch(url("settings"), body, format="json"), 409, 204)
    assert stored("project_name") == before
    assert Setting.objects.get(pk=b).key == "project_color"


def test_batch_update_needs_an_array(admin_api, url):
    assert_error(admin_api.patch(url("settings"), {"id": 1, "value": "x"}, format="json"), 400, 13)


# -- DELETE /settings/:id ----------------------------------------------------------------------


def test_delete_one(admin_api, url):
    pk = setting_id("project_url")
    response = admin_api.delete(url(f"settings/{pk}"))
    assert response.status_code == 204
    assert response.content == b""
    assert not Setting.objects.filter(pk=pk).exists()


def test_delete_csv(admin_api, url):
    a, b = setting_id("project_url"), setting_id("app_url")
    assert admin_api.delete(url(f"settings/{a},{b}")).status_code == 204
    assert not Setting.objects.filter(pk__in=[a, b]).exists()


def test_delete_unknown_id_is_404_and_deletes_nothing(admin_api, url):
    a = setting_id("project_url")
    assert_error(admin_api.delete(url(f"settings/{a},999999")), 404, 203)
    assert Setting.objects.filter(pk=a).exists()


def test_wrong_method_is_405(admin_api, url):
    assert_error(admin_api.delete(url("settings")), 405, 6)
    assert_error(admin_api.post(url("settings/1"), {"key": "x"}, format="json"), 405, 6)


def test_reserved_first_segment_is_not_a_project(admin_api, project):
    response = admin_api.get("/server/settings")
    assert error_of(response) == (404, 1)


def test_the_list_takes_the_query_language(admin_api, url):
    response = admin_api.get(url("settings"), {"filter[key][eq]": "default_limit"})
    assert response.json()["data"] == [{"id": response.json()["data"][0]["id"], "key": "default_limit", "value": 200}]
    response = admin_api.get(url("settings"), {"filter[nothing][eq]": "x"})
    assert error_of(response) == (422, 202)
