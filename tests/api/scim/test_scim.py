"""SCIM 2 (scim.md) with requests built from the examples of RFC 7644 (adapted where Directus
needs it: a userName is the user's email address)."""

import hashlib
import json

import pytest

from apps.activity.models import Activity
from apps.permissions.models import Permission
from apps.roles.models import Role
from apps.schema.cache import config_changed
from apps.users.models import User
from tests.helpers import SCIM_CONTENT_TYPE, scim_error

pytestmark = pytest.mark.engines("sqlite", "postgres")

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
BJENSEN_ID = "2819c223-7f76-453a-919d-413861904646"

# RFC 7644 § 3.3 (userName as an email address).
BJENSEN = {
    "schemas": [USER],
    "userName": "bjensen@example.com",
    "externalId": BJENSEN_ID,
    "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
    "active": True,
}


def scim_json(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM_CONTENT_TYPE
    return json.loads(response.content) if response.content else {}


def make_user(email, external_id, **values) -> User:
    values.setdefault("status", "active")
    return User.objects.create(email=email, external_id=external_id, **values)


# -- Users: create, read (RFC 7644 § 3.3, § 3.4.1) ---------------------------------------------------


def test_create_user_is_201_with_location(scim, project):
    response = scim.post("Users", BJENSEN)
    body = scim_json(response, 201)
    user = User.objects.get(email="bjensen@example.com")
    assert body == {
        "schemas": [USER],
        "id": BJENSEN_ID,
        "externalId": user.pk,
        "meta": {
            "resourceType": "User",
            "location": f"http://testserver/{project.key}/scim/v2/Users/{BJENSEN_ID}",
            "version": 'W/"' + hashlib.md5(b"JensenBarbarabjensen@example.com").hexdigest() + '"',
        },
        "name": {"familyName": "Jensen", "givenName": "Barbara"},
        "userName": "bjensen@example.com",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}],
        "locale": "en-US",
        "timezone": "UTC",
        "active": True,
    }
    assert response["Location"] == body["meta"]["location"]
    assert (user.external_id, user.first_name, user.last_name, user.status) == (
        BJENSEN_ID,
        "Barbara",
        "Jensen",
        "active",
    )
    assert Activity.objects.filter(collection="directus_users", item=str(user.pk), action="create").exists()


def test_create_user_takes_the_primary_email_and_defaults(scim):
    body = {
        "schemas": [USER],
        "userName": "ignored@example.com",
        "emails": [
            {"value": "home@example.com", "type": "home"},
            {"value": "work@example.com", "type": "work", "primary": True},
        ],
        "locale": "nl-NL",
        "timezone": "Europe/Amsterdam",
    }
    created = scim_json(scim.post("Users", body), 201)
    assert created["userName"] == "work@example.com"
    assert created["active"] is False  # no `active`: status draft
    assert (created["locale"], created["timezone"]) == ("nl-NL", "Europe/Amsterdam")
    assert len(created["id"]) == 36  # a generated external id


def test_get_user(scim, project):
    user = make_user("bjensen@example.com", BJENSEN_ID, first_name="Barbara", last_name="Jensen")
    response = scim.get(f"Users/{BJENSEN_ID}")
    body = scim_json(response, 200)
    assert (body["id"], body["externalId"], body["userName"]) == (BJENSEN_ID, user.pk, "bjensen@example.com")
    assert response["Location"] == body["meta"]["location"]


def test_unknown_user_is_404(scim):
    detail = scim_error(scim.get(f"Users/{BJENSEN_ID}"), 404)
    assert BJENSEN_ID in detail


def test_duplicate_user_name_is_409_uniqueness(scim):
    make_user("bjensen@example.com", "other-id")
    before = User.objects.count()
    scim_error(scim.post("Users", BJENSEN), 409, "uniqueness")
    assert User.objects.count() == before


def test_duplicate_external_id_is_409(scim):
    make_user("other@example.com", BJENSEN_ID)
    before = User.objects.count()
    scim_error(scim.post("Users", BJENSEN), 409, "uniqueness")
    assert User.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [
        {"schemas": [USER], "name": {"givenName": "No"}},  # no userName
        {"schemas": [USER], "userName": "not-an-email"},
    ],
)
def test_invalid_user_is_422(scim, body):
    before = User.objects.count()
    scim_error(scim.post("Users", body), 422)
    assert User.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [
        {**BJENSEN, "active": "yes"},
        {**BJENSEN, "name": "Barbara"},
        {**BJENSEN, "emails": "bjensen@example.com"},
        {**BJENSEN, "emails": [{"type": "work"}]},
        {**BJENSEN, "userName": ["a@example.com"]},
    ],
)
def test_wrongly_typed_values_are_400_invalid_value(scim, body):
    before = User.objects.count()
    scim_error(scim.post("Users", body), 400)
    assert User.objects.count() == before


def test_empty_or_malformed_body_is_400(scim):
    scim_error(scim.post("Users", {}), 400)
    response = scim.client.generic("POST", f"{scim.base}/Users", "{oops", content_type="application/scim+json")
    scim_error(response, 400)


# -- Users: lists, filters, pagination (RFC 7644 § 3.4.2) ---------------------------------------------


@pytest.fixture
def people(project):
    return [
        make_user("bjensen@example.com", BJENSEN_ID, first_name="Barbara", last_name="Jensen"),
        make_user("jsmith@example.org", "id-smith", first_name="John", last_name="Smith", status="draft"),
        make_user("momalley@example.com", "id-omalley", first_name="Mary", last_name="O'Malley", locale="en-GB"),
    ]


def resources(response) -> list[str]:
    body = scim_json(response, 200)
    assert body["schemas"] == [LIST]
    return [
        resource["userName"] if "userName" in resource else resource["displayName"] for resource in body["Resources"]
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('userName eq "bjensen@example.com"', ["bjensen@example.com"]),
        ('userName Eq "BJENSEN@example.com"', ["bjensen@example.com"]),  # operators and userName: any case
        ('name.familyName co "O\'Malley"', ["momalley@example.com"]),
        ('userName sw "J"', ["jsmith@example.org"]),
        ('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', ["jsmith@example.org"]),
        ('emails[type eq "work" and value co "@example.com"]', ["bjensen@example.com", "momalley@example.com"]),
        ('emails co "example.org" or emails.value co "bjensen"', ["bjensen@example.com", "jsmith@example.org"]),
        ('not (emails co "example.com" or emails.value co "example.org")', ["admin@example.com"][:0]),
        (f'id eq "{BJENSEN_ID}"', ["bjensen@example.com"]),
        ('emails[type eq "work"].value ew ".org"', ["jsmith@example.org"]),
        ("active eq false", ["jsmith@example.org"]),
        ('locale eq "en-GB" and active eq true', ["momalley@example.com"]),
        ('name.givenName pr and not (userName ew "example.com")', ["jsmith@example.org"]),
        ("userName eq bjensen@example.com", ["bjensen@example.com"]),  # Directus 8: unquoted value
    ],
)
def test_filters(scim, people, query, expected):
    response = scim.get("Users", {"filter": query})
    assert [name for name in resources(response) if name != "admin@example.com"] == expected


def test_filter_by_external_id_is_the_numeric_id(scim, people):
    response = scim.get("Users", {"filter": f"externalId eq {people[1].pk}"})
    assert resources(response) == ["jsmith@example.org"]
    assert resources(scim.get("Users", {"filter": 'externalId eq "nope"'})) == []


@pytest.mark.parametrize(
    "query",
    [
        "title pr",  # RFC example; not an attribute of Directus users
        'meta.lastModified gt "2011-05-13T04:42:34Z"',
        'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"',
        "userName eq",
        'userName eq "a" and',
        '(userName eq "a"',
        'userName xx "a"',
        'active co "tr"',
        "",
    ],
)
def test_unparsable_filters_and_unknown_attributes_are_422(scim, people, query):
    detail = scim_error(scim.get("Users", {"filter": query}), 422, "invalidFilter")
    assert detail.startswith("Invalid filter")


def test_pagination(scim, people):
    body = scim_json(scim.get("Users", {"startIndex": 2, "count": 2}), 200)
    assert body["startIndex"] == 2
    assert body["itemsPerPage"] == 2
    assert body["totalResults"] == 4
    assert [resource["userName"] for resource in body["Resources"]] == ["bjensen@example.com", "jsmith@example.org"]
    assert list(body) == ["schemas", "startIndex", "itemsPerPage", "totalResults", "Resources"]


def test_list_without_paging_parameters(scim, people):
    body = scim_json(scim.get("Users"), 200)
    assert "startIndex" not in body and "itemsPerPage" not in body
    assert body["totalResults"] == len(body["Resources"]) == 4


def test_count_zero_gives_only_the_total(scim, people):
    body = scim_json(scim.get("Users", {"count": 0, "filter": 'userName ew ".com"'}), 200)
    assert (body["itemsPerPage"], body["totalResults"], body["Resources"]) == (0, 3, [])


def test_bad_paging_values(scim, people):
    scim_error(scim.get("Users", {"count": "ten"}), 400, "invalidValue")
    body = scim_json(scim.get("Users", {"startIndex": -3, "count": 1}), 200)
    assert body["startIndex"] == 1


# -- Users: replace and modify (RFC 7644 § 3.5) ---------------------------------------------------------


def test_put_replaces_the_given_attributes(scim, people):
    body = {
        "schemas": [USER],
        "id": BJENSEN_ID,
        "userName": "bjensen@example.com",
        "externalId": "ignored-on-update",
        "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Babs"},
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}],
        "active": False,
    }
    response = scim.put(f"Users/{BJENSEN_ID}", body)
    result = scim_json(response, 200)
    assert (result["name"]["givenName"], result["active"], result["id"]) == ("Babs", False, BJENSEN_ID)
    user = User.objects.get(pk=people[0].pk)
    assert (user.first_name, user.status, user.external_id) == ("Babs", "draft", BJENSEN_ID)


def test_patch_operations(scim, people):
    body = {
        "schemas": [PATCH_OP],
        "Operations": [
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "bjenson@example.com"},
            {"op": "replace", "value": {"name": {"givenName": "Barb"}, "nickName": "Babs"}},
            {"op": "Replace", "path": "active", "value": "False"},  # as Azure AD sends it
            {"op": "add", "path": "locale", "value": "de-DE"},
            {"op": "remove", "path": "name.familyName"},
        ],
    }
    result = scim_json(scim.patch(f"Users/{BJENSEN_ID}", body), 200)
    assert result["userName"] == "bjenson@example.com"
    assert result["name"] == {"givenName": "Barb", "familyName": None}
    assert (result["active"], result["locale"]) == (False, "de-DE")


def test_plain_patch_is_attribute_replacement(scim, people):
    result = scim_json(scim.patch(f"Users/{BJENSEN_ID}", {"name": {"familyName": "Jensen-Smith"}}), 200)
    assert result["name"] == {"familyName": "Jensen-Smith", "givenName": "Barbara"}


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "remove"}, "noTarget"),
        ({"op": "move", "path": "locale", "value": "x"}, None),
        ({"op": "replace", "path": "favouriteColour", "value": "x"}, "invalidPath"),
        ({"op": "replace", "path": "emails[type eq", "value": "x"}, "invalidPath"),
        ({"op": "remove", "path": "userName"}, "mutability"),
        ({"op": "replace", "path": "active", "value": "maybe"}, "invalidValue"),
        ({"path": "active", "value": True}, "invalidSyntax"),
    ],
)
def test_bad_patch_operations_are_400_and_change_nothing(scim, people, operation, scim_type):
    body = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "locale", "value": "fr-FR"}, operation]}
    scim_error(scim.patch(f"Users/{BJENSEN_ID}", body), 400, scim_type)
    assert User.objects.get(pk=people[0].pk).locale == "en-US"


def test_patch_to_a_taken_user_name_is_409(scim, people):
    body = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "userName", "value": "jsmith@example.org"}]}
    scim_error(scim.patch(f"Users/{BJENSEN_ID}", body), 409, "uniqueness")


def test_users_cannot_be_deleted(scim, people):
    scim_error(scim.delete(f"Users/{BJENSEN_ID}"), 405)
    assert User.objects.filter(pk=people[0].pk).exists()


def test_put_unknown_user_is_404(scim):
    scim_error(scim.put("Users/nobody", {"userName": "x@example.com"}), 404)


# -- Groups ------------------------------------------------------------------------------------------------


def test_group_lifecycle(scim, project):
    created = scim_json(
        scim.post("Groups", {"schemas": [GROUP], "displayName": "Tour Guides", "id": "tour-guides"}), 201
    )
    role = Role.objects.get(name="Tour Guides")
    assert created == {
        "schemas": [GROUP],
        "id": "tour-guides",
        "externalId": role.pk,
        "meta": {
            "resourceType": "Group",
            "location": f"http://testserver/{project.key}/scim/v2/Groups/tour-guides",
            "version": 'W/"' + hashlib.md5(b"Tour Guides").hexdigest() + '"',
        },
        "displayName": "Tour Guides",
        "members": [],
    }
    assert Permission.objects.filter(role=role.pk).exists()  # a new role's default rows
    member = make_user("guide@example.com", "guide-1", role=role.pk, first_name="Gus", last_name="Guide")
    body = scim_json(scim.get("Groups/tour-guides"), 200)
    assert body["members"] == [
        {
            "value": "guide@example.com",
            "$ref": f"http://testserver/{project.key}/scim/v2/Users/guide-1",
            "display": "Gus Guide",
        }
    ]
    renamed = scim_json(
        scim.put("Groups/tour-guides", {"schemas": [GROUP], "displayName": "Guides", "members": []}), 200
    )
    assert renamed["displayName"] == "Guides"
    assert renamed["members"][0]["value"] == member.email  # members are read-only: ignored in PUT
    response = scim.delete("Groups/tour-guides")
    assert response.status_code == 204
    assert response.content == b""
    assert not Role.objects.filter(pk=role.pk).exists()
    scim_error(scim.get("Groups/tour-guides"), 404)


def test_group_filters(scim, project):
    admin = Role.objects.get(pk=1)
    listed = scim_json(scim.get("Groups", {"filter": 'displayName eq "administrator"'}), 200)
    assert [group["externalId"] for group in listed["Resources"]] == [admin.pk]
    listed = scim_json(scim.get("Groups", {"filter": 'members[value eq "admin@example.com"]'}), 200)
    assert [group["externalId"] for group in listed["Resources"]] == [admin.pk]
    scim_error(scim.get("Groups", {"filter": 'userName eq "x"'}), 422, "invalidFilter")


def test_group_members_are_read_only_in_patch_ops(scim, project):
    scim_json(scim.post("Groups", {"displayName": "Editors", "id": "editors"}), 201)
    body = {  # RFC 7644 § 3.5.2.1
        "schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": [{"display": "Babs Jensen", "value": BJENSEN_ID}]}],
    }
    scim_error(scim.patch("Groups/editors", body), 400, "mutability")
    scim_error(scim.patch("Groups/editors", {"Operations": [{"op": "remove", "path": "members"}]}), 400, "mutability")
    renamed = scim.patch(
        "Groups/editors", {"Operations": [{"op": "replace", "path": "displayName", "value": "Writers"}]}
    )
    assert scim_json(renamed, 200)["displayName"] == "Writers"


def test_duplicate_group_name_is_409(scim, project):
    before = Role.objects.count()
    scim_error(scim.post("Groups", {"displayName": "Administrator"}), 409, "uniqueness")
    scim_error(scim.post("Groups", {"id": "x"}), 422)
    assert Role.objects.count() == before


def test_fixed_roles_cannot_be_deleted(scim, project):
    Role.objects.filter(pk=1).update(external_id="administrators")
    config_changed(Role.objects.db)  # .update() sends no signal
    scim_error(scim.delete("Groups/administrators"), 401)
    assert Role.objects.filter(pk=1).exists()


# -- Who may call ------------------------------------------------------------------------------------------


def test_public_reads_are_401_and_writes_403(scim_public, project):
    scim_error(scim_public.get("Users"), 401)
    scim_error(scim_public.post("Groups", {"displayName": "X"}), 403)  # a denied create, as in REST
    assert not Role.objects.filter(name="X").exists()


def test_bad_token_is_401(api, url):
    response = api.get(url("scim/v2/Users"), HTTP_AUTHORIZATION="Bearer wrong")
    scim_error(response, 401)


def test_non_admin_goes_through_the_permission_rows(scim_editor, editor, people):
    listed = scim_json(scim_editor.get("Users"), 200)
    names = [resource["userName"] for resource in listed["Resources"]]
    assert "jsmith@example.org" not in names  # draft users are not readable by default
    assert editor.email in names
    scim_error(scim_editor.post("Users", {"userName": "new@example.com"}), 403)
    assert not User.objects.filter(email="new@example.com").exists()


def test_service_provider_config(scim):
    body = scim_json(scim.get("ServiceProviderConfig"), 200)
    assert body["patch"] == {"supported": True}
    assert body["filter"]["supported"] is True
