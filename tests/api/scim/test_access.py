"""SCIM reads through the same access engine as /users and /roles: the role's row filter, its read
field blacklist and the users' private columns decide what a resource shows and what a filter may
name (deviation 4: a filter naming an attribute the caller may not read answers 403)."""

import pytest

from apps.permissions.models import Permission
from apps.roles.models import Role
from apps.schema.cache import config_changed
from tests.api.users.factories import grant
from tests.helpers import scim_error

from .test_scim import GROUP, LIST, USER, make_user, scim_json

pytestmark = pytest.mark.engines("sqlite", "postgres")


def hide(role: int, collection: str, *fields: str) -> None:
    """Put `fields` on the read blacklist of every row of `role` for `collection`."""
    rows = Permission.objects.filter(role=role, collection=collection)
    assert rows.exists()
    rows.update(read_field_blacklist=list(fields))
    config_changed(Permission.objects.db)  # .update() sends no signal


@pytest.fixture
def barbara(project):
    return make_user("bjensen@example.com", "bjensen", first_name="Barbara", last_name="Jensen", locale="en-US")


def listed(response) -> list[dict]:
    body = scim_json(response, 200)
    assert body["schemas"] == [LIST]
    return body["Resources"]


def by_external_id(resources: list[dict], pk: int) -> dict:
    (found,) = [resource for resource in resources if resource.get("externalId") == pk]
    return found


# -- Users ---------------------------------------------------------------------------------------------


def test_blacklisted_user_columns_are_left_out_of_resources(scim_editor, editor, barbara):
    hide(editor.role, "directus_users", "email", "last_name")

    for resource in (
        by_external_id(listed(scim_editor.get("Users")), barbara.pk),
        scim_json(scim_editor.get("Users/bjensen"), 200),
    ):
        assert resource["schemas"] == [USER]
        assert resource["id"] == "bjensen"
        assert resource["name"] == {"givenName": "Barbara"}
        assert resource["locale"] == "en-US"
        assert "userName" not in resource and "emails" not in resource
        # The version is a hash of the names and the email: it would tell them too.
        assert resource["meta"]["location"].endswith("/Users/bjensen")
        assert "version" not in resource["meta"]
        assert "bjensen@example.com" not in str(resource) and "Jensen" not in str(resource)


def test_a_hidden_scim_id_leaves_the_resource_unaddressable(scim_editor, editor, barbara):
    hide(editor.role, "directus_users", "external_id")

    resource = by_external_id(listed(scim_editor.get("Users")), barbara.pk)
    assert "id" not in resource and "location" not in resource["meta"]
    assert resource["userName"] == "bjensen@example.com"
    # Looking a user up by a SCIM id the caller cannot read would probe it.
    scim_error(scim_editor.get("Users/bjensen"), 403)
    scim_error(scim_editor.get("Users/nobody"), 403)


@pytest.mark.parametrize(
    "query",
    [
        'userName sw "b"',
        'emails.value co "jensen"',
        'emails[type eq "work"]',
        'name.familyName eq "Jensen"',
        'name.givenName eq "Barbara" or userName pr',
        'not (userName ew "example.org")',
    ],
)
def test_filters_naming_a_blacklisted_column_are_refused(scim_editor, editor, barbara, query):
    hide(editor.role, "directus_users", "email", "last_name")
    detail = scim_error(scim_editor.get("Users", {"filter": query}), 403)
    assert "denied" in detail


def test_filters_on_readable_columns_still_work(scim_editor, editor, barbara):
    hide(editor.role, "directus_users", "email", "last_name")
    resources = listed(scim_editor.get("Users", {"filter": 'name.givenName eq "Barbara"'}))
    assert [resource["externalId"] for resource in resources] == [barbara.pk]


def test_user_filters_see_only_readable_rows(scim_editor, editor, project):
    # Draft users are not readable with the default rows: no filter finds them, nor counts them.
    make_user("hidden@example.org", "hidden", status="draft")
    body = scim_json(scim_editor.get("Users", {"filter": 'userName eq "hidden@example.org"', "count": 5}), 200)
    assert (body["totalResults"], body["Resources"]) == (0, [])
    scim_error(scim_editor.get("Users/hidden"), 404)


def test_private_user_columns_stay_private(scim_editor, editor, barbara):
    User = type(barbara)
    User.objects.filter(pk=barbara.pk).update(token="barbaras-token", last_page="/secret")
    resource = scim_json(scim_editor.get("Users/bjensen"), 200)
    assert "barbaras-token" not in str(resource) and "/secret" not in str(resource)


def test_a_created_user_the_caller_may_not_read_is_not_shown(scim_editor, editor):
    # The role may create users (drafts) but read only active ones.
    Permission.objects.filter(role=editor.role, collection="directus_users", status="draft").update(create="full")
    config_changed(Permission.objects.db)

    response = scim_editor.post("Users", {"schemas": [USER], "userName": "new@example.com", "name": {"givenName": "N"}})
    assert response.status_code == 201, response.content
    assert response.content == b""
    assert "Location" not in response
    assert type(editor).objects.filter(email="new@example.com", status="draft").exists()


# -- Groups --------------------------------------------------------------------------------------------


def test_group_members_filter_sees_only_readable_users(scim_editor, editor, project):
    # A draft user of the editor's own role: /users does not show it to the editor.
    make_user("hidden@example.org", "hidden", role=editor.role, status="draft")
    for query in (
        'members[value eq "hidden@example.org"]',
        'members.value sw "hidden"',
        'members co "hidden@"',
    ):
        assert listed(scim_editor.get("Groups", {"filter": query})) == []
    (group,) = listed(scim_editor.get("Groups", {"filter": f'members.value eq "{editor.email}"'}))
    assert group["externalId"] == editor.role
    assert [member["value"] for member in group["members"]] == [editor.email]


def test_groups_show_members_only_as_far_as_users_are_readable(scim_editor, editor, barbara):
    User = type(barbara)
    User.objects.filter(pk=barbara.pk).update(role=editor.role)
    User.objects.filter(pk=editor.pk).update(external_id="edith")
    hide(editor.role, "directus_users", "email", "last_name")

    (group,) = listed(scim_editor.get("Groups"))
    members = sorted(group["members"], key=lambda member: member["$ref"])
    assert [member["$ref"].rsplit("/", 1)[-1] for member in members] == ["bjensen", "edith"]
    assert members[0] == {"$ref": members[0]["$ref"], "display": "Barbara"}
    assert "bjensen@example.com" not in str(group) and "Jensen" not in str(group)
    scim_error(scim_editor.get("Groups", {"filter": 'members.value sw "b"'}), 403)


def test_a_hidden_role_column_hides_memberships(scim_editor, editor, barbara):
    hide(editor.role, "directus_users", "role")
    (group,) = listed(scim_editor.get("Groups"))
    assert group["members"] == []
    scim_error(scim_editor.get("Groups", {"filter": f'members.value eq "{editor.email}"'}), 403)


def test_groups_follow_the_roles_row_filter_and_blacklist(scim_editor, editor, project):
    Role.objects.filter(pk=1).update(external_id="administrators")
    config_changed(Role.objects.db)
    # `mine` on directus_roles: only the caller's own role.
    assert [group["externalId"] for group in listed(scim_editor.get("Groups"))] == [editor.role]
    assert listed(scim_editor.get("Groups", {"filter": 'displayName eq "Administrator"'})) == []
    scim_error(scim_editor.get("Groups/administrators"), 404)

    hide(editor.role, "directus_roles", "name")
    (group,) = listed(scim_editor.get("Groups"))
    assert group["schemas"] == [GROUP]
    assert "displayName" not in group and "version" not in group["meta"]
    scim_error(scim_editor.get("Groups", {"filter": 'displayName sw "E"'}), 403)


def test_users_unreadable_at_all_leave_groups_without_members(scim_editor, editor, project):
    Permission.objects.filter(role=editor.role, collection="directus_users").delete()
    grant(editor.role, "directus_users", "active", read="none")
    (group,) = listed(scim_editor.get("Groups"))
    assert group["members"] == []
    scim_error(scim_editor.get("Groups", {"filter": "members pr"}), 403)
    scim_error(scim_editor.get("Users"), 403)
