"""/activity (with comments) and /revisions read through the same engine as items."""

from apps.activity.models import Activity
from tests.helpers import error_of


def test_activity_and_revisions_are_listed_with_the_query_language(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    article = api.post(url("items/articles"), {"title": "Logged"}, format="json").json()["data"]
    api.patch(url(f"items/articles/{article['id']}"), {"title": "Logged twice"}, format="json")

    response = api.get(url("activity"), {"sort": "-id", "limit": 2, "meta": "result_count,total_count"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["action"] for row in body["data"]] == ["update", "create"]
    assert body["data"][0]["item"] == str(article["id"]) and body["data"][0]["action_by"] == 1
    assert body["meta"]["result_count"] == 2 and body["meta"]["total_count"] >= 2

    response = api.get(url("activity"), {"fields": "id,action,action_by.email", "sort": "-id", "limit": 1})
    assert response.json()["data"][0]["action_by"] == {"email": "admin@example.com"}

    revisions = api.get(url("revisions"), {"sort": "-id", "limit": 1, "fields": "*,activity.action"}).json()["data"]
    assert revisions[0]["data"]["title"] == "Logged twice" and revisions[0]["activity"]["action"] == "update"
    one = api.get(url(f"revisions/{revisions[0]['id']}")).json()["data"]
    assert one["delta"] == {"title": "Logged twice"}
    assert error_of(api.get(url("revisions/999999"))) == (404, 203)


def test_comments_are_created_edited_and_soft_deleted(blog, schema_admin_api, schema_url):
    api, url = schema_admin_api, schema_url
    article = api.post(url("items/articles"), {"title": "Discuss"}, format="json").json()["data"]
    response = api.post(
        url("activity/comment"), {"collection": "articles", "item": article["id"], "comment": "Nice"}, format="json"
    )
    assert response.status_code == 200, response.content
    comment = response.json()["data"]
    assert comment["action"] == "comment" and comment["comment"] == "Nice" and comment["item"] == str(article["id"])

    response = api.patch(url(f"activity/comment/{comment['id']}"), {"comment": "Nicer"}, format="json")
    assert response.json()["data"]["comment"] == "Nicer" and response.json()["data"]["edited_on"]
    assert api.delete(url(f"activity/comment/{comment['id']}")).status_code == 204
    assert Activity.objects.get(pk=comment["id"]).comment_deleted_on is not None

    missing = api.post(url("activity/comment"), {"collection": "articles", "item": 999, "comment": "x"}, format="json")
    assert error_of(missing) == (404, 203)
    unknown = api.post(url("activity/comment"), {"collection": "nope", "item": 1, "comment": "x"}, format="json")
    assert error_of(unknown) == (404, 200)
    blank = api.post(url("activity/comment"), {"collection": "articles", "item": article["id"]}, format="json")
    assert error_of(blank) == (422, 4)
    assert error_of(api.patch(url("activity/comment/999999"), {"comment": "x"}, format="json")) == (404, 203)


def test_the_public_cannot_read_the_log(blog, schema_url):
    from rest_framework.test import APIClient

    assert error_of(APIClient().get(schema_url("activity"))) == (401, 3)
    assert error_of(APIClient().get(schema_url("revisions"))) == (401, 3)


def test_comment_levels_decide_who_may_comment(blog, schema_admin_api, schema_url):
    from rest_framework.test import APIClient

    from apps.permissions.models import Permission
    from apps.roles.models import Role
    from apps.users.models import User

    api, url = schema_admin_api, schema_url
    article = api.post(url("items/articles"), {"title": "Open"}, format="json").json()["data"]
    role = Role.objects.create(name="Commenters")
    User.objects.create(email="commenter@example.com", status="active", role=role.pk, token="commenter-token")
    try:
        Permission.objects.create(role=role.pk, collection="directus_activity", create="full", read="mine")
        rule = Permission.objects.create(role=role.pk, collection="articles", read="full", comment="none")
        commenter = APIClient()
        commenter.credentials(HTTP_AUTHORIZATION="Bearer commenter-token")
        body = {"collection": "articles", "item": article["id"], "comment": "Me too"}

        response = commenter.post(url("activity/comment"), body, format="json")
        assert error_of(response) == (403, 210)
        assert not Activity.objects.filter(action="comment", comment="Me too").exists()

        rule.comment = "create"
        rule.save()
        response = commenter.post(url("activity/comment"), body, format="json")
        assert response.status_code == 200, response.content
        comment_id = response.json()["data"]["id"]
        # The article belongs to the admin: editing needs `full`.
        response = commenter.patch(url(f"activity/comment/{comment_id}"), {"comment": "x"}, format="json")
        assert error_of(response) == (403, 211)
        rule.comment = "full"
        rule.save()
        assert (
            commenter.patch(url(f"activity/comment/{comment_id}"), {"comment": "x"}, format="json").status_code == 200
        )
    finally:
        Permission.objects.filter(role=role.pk).delete()
        User.objects.filter(email="commenter@example.com").delete()
        role.delete()
