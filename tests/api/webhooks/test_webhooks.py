"""/:project/webhooks routes (webhooks.md). These tests run inside a rolled-back transaction, so
no webhook is ever delivered from here (delivery: test_delivery.py)."""

import pytest

from apps.activity.models import Activity
from apps.revisions.models import Revision
from apps.webhooks.models import Webhook
from tests.helpers import assert_error

pytestmark = pytest.mark.engines("sqlite", "postgres")

# A public address written as an IP literal: nothing is resolved, nothing is sent (rolled back).
PUBLIC_URL = "https://93.184.216.34/hook"
HOOK = {
    "status": "active",
    "http_action": "post",
    "url": PUBLIC_URL,
    "collection": "articles",
    "directus_action": "item.create:after",
}


def webhook(**values) -> Webhook:
    return Webhook.objects.create(**{**HOOK, **values})


def test_create_returns_the_webhook_with_activity_and_revision(admin_api, url):
    response = admin_api.post(url("webhooks"), HOOK, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert {key: data[key] for key in HOOK} == HOOK
    assert isinstance(data["id"], int)
    assert Activity.objects.filter(collection="directus_webhooks", item=str(data["id"]), action="create").exists()
    assert Revision.objects.filter(collection="directus_webhooks", item=str(data["id"])).exists()


def test_status_defaults_to_inactive(admin_api, url):
    response = admin_api.post(url("webhooks"), {**HOOK, "status": None}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["status"] == "inactive"


def test_batch_create_and_csv_read_update_delete(admin_api, url):
    response = admin_api.post(url("webhooks"), [HOOK, {**HOOK, "http_action": "get"}], format="json")
    assert response.status_code == 200, response.content
    ids = [item["id"] for item in response.json()["data"]]
    csv = ",".join(map(str, ids))
    response = admin_api.get(url(f"webhooks/{csv}"))
    assert [item["http_action"] for item in response.json()["data"]] == ["post", "get"]
    response = admin_api.patch(url(f"webhooks/{csv}"), {"status": "inactive"}, format="json")
    assert response.status_code == 200
    assert {item["status"] for item in response.json()["data"]} == {"inactive"}
    response = admin_api.patch(url("webhooks"), [{"id": ids[0], "collection": "authors"}], format="json")
    assert response.status_code == 200
    assert response.json()["data"][0]["collection"] == "authors"
    assert admin_api.delete(url(f"webhooks/{csv}")).status_code == 204
    assert not Webhook.objects.filter(pk__in=ids).exists()


def test_list_with_filter(admin_api, url):
    active = webhook(collection="articles")
    webhook(collection="authors", status="inactive")
    response = admin_api.get(url("webhooks"), {"filter[status][eq]": "active", "fields": "id,collection"})
    assert response.status_code == 200
    assert response.json()["data"] == [{"id": active.pk, "collection": "articles"}]


def test_revisions_routes(admin_api, url):
    pk = admin_api.post(url("webhooks"), HOOK, format="json").json()["data"]["id"]
    admin_api.patch(url(f"webhooks/{pk}"), {"collection": "authors"}, format="json")
    response = admin_api.get(url(f"webhooks/{pk}/revisions"))
    assert response.status_code == 200
    revisions = response.json()["data"]
    assert len(revisions) == 2
    assert revisions[1]["delta"] == {"collection": "authors"}
    response = admin_api.get(url(f"webhooks/{pk}/revisions/1"))
    assert response.json()["data"]["id"] == revisions[1]["id"]
    assert_error(admin_api.get(url(f"webhooks/{pk}/revisions/5")), 404, 203)
    assert_error(admin_api.get(url("webhooks/987654/revisions")), 404, 203)


def test_missing_webhook_is_404_code_203(admin_api, url):
    assert_error(admin_api.get(url("webhooks/987654")), 404, 203)
    assert_error(admin_api.delete(url("webhooks/987654")), 404, 203)


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "ftp://93.184.216.34/hook",
        "file:///etc/passwd",
        "not a url",
        "https://user:pw@93.184.216.34/hook",
    ],
)
def test_private_or_invalid_urls_are_refused_at_create(admin_api, url, target):
    before = Webhook.objects.count()
    message = assert_error(admin_api.post(url("webhooks"), {**HOOK, "url": target}, format="json"), 422, 4)
    assert message.startswith("url:")
    assert Webhook.objects.count() == before
    assert not Activity.objects.filter(collection="directus_webhooks").exists()


def test_private_url_refused_on_update_too(admin_api, url):
    row = webhook()
    assert_error(admin_api.patch(url(f"webhooks/{row.pk}"), {"url": "http://127.0.0.1/x"}, format="json"), 422, 4)
    assert Webhook.objects.get(pk=row.pk).url == PUBLIC_URL


def test_batch_with_one_private_url_writes_nothing(admin_api, url):
    before = Webhook.objects.count()
    response = admin_api.post(url("webhooks"), [HOOK, {**HOOK, "url": "http://10.0.0.1/"}], format="json")
    assert_error(response, 422, 4)
    assert Webhook.objects.count() == before


def test_allow_listed_loopback_is_accepted(admin_api, url, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "WEBHOOK_ALLOWLIST": ["127.0.0.1/32"]}
    response = admin_api.post(url("webhooks"), {**HOOK, "url": "http://127.0.0.1:9/hook"}, format="json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"http_action": "delete"}, "http_action"),
        ({"directus_action": "item.read:after"}, "directus_action"),
        ({"status": "published"}, "status"),
        ({"url": None}, "url"),
        ({"collection": ""}, "collection"),
    ],
)
def test_invalid_values_are_422_code_4(admin_api, url, values, field):
    message = assert_error(admin_api.post(url("webhooks"), {**HOOK, **values}, format="json"), 422, 4)
    assert message.startswith(field)
    assert not Webhook.objects.exists()


def test_unknown_field_is_422_code_12(admin_api, url):
    assert_error(admin_api.post(url("webhooks"), {**HOOK, "secret": "x"}, format="json"), 422, 12)


def test_empty_body_is_400_code_13(admin_api, url):
    assert_error(admin_api.post(url("webhooks"), {}, format="json"), 400, 13)


def test_admin_only(api, editor_api, url):
    row = webhook()
    assert_error(api.get(url("webhooks")), 401, 3)
    assert_error(editor_api.get(url("webhooks")), 403, 300)
    assert_error(editor_api.post(url("webhooks"), HOOK, format="json"), 403, 301)
    assert_error(editor_api.patch(url(f"webhooks/{row.pk}"), {"status": "inactive"}, format="json"), 403, 302)
    assert_error(editor_api.delete(url(f"webhooks/{row.pk}")), 403, 303)
    assert_error(editor_api.get(url(f"webhooks/{row.pk}/revisions")), 404, 203)
    assert Webhook.objects.get(pk=row.pk).status == "active"
