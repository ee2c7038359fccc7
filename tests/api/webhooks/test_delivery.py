"""Webhook delivery (webhooks.md § Delivery, deviations.md 9): to a receiver on loopback that the
tests allow-list. These tests commit for real (no surrounding transaction), so they build their
own collection and remove it, and every webhook row, afterwards."""

import time

import pytest
from django.db import transaction

from apps.activity.services import Actor
from apps.core import netguard
from apps.items.guard import Guard
from apps.items.services import ItemWriter
from apps.schema import services as schema_services
from apps.schema.cache import project_schema
from apps.webhooks import dispatch
from apps.webhooks.models import Webhook
from tests.api.items.conftest import admin_identity

from .receiver import Receiver

pytestmark = pytest.mark.engines("sqlite", "postgres")

ID = {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True}
LOOPBACK = ["127.0.0.1/32"]


@pytest.fixture
def receiver():
    with Receiver(slow_seconds=3.0) as server:
        yield server


@pytest.fixture
def fast_settings(settings):
    settings.DIRECTUS = {
        **settings.DIRECTUS,
        "WEBHOOK_ALLOWLIST": LOOPBACK,
        "WEBHOOK_TIMEOUT": 1,
        "WEBHOOK_RETRIES": 2,
        "WEBHOOK_RETRY_DELAY": 0.05,
    }
    return settings


@pytest.fixture
def hooked(schema_project, fast_settings):
    """A collection `hooked` (id, title required, pin: a hash field), removed afterwards."""
    schema_services.create_collection(
        {
            "collection": "hooked",
            "fields": [
                ID,
                {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100, "required": True},
                {"field": "pin", "type": "hash", "datatype": "VARCHAR", "length": 255},
            ],
        },
        admin_identity(),
    )
    try:
        yield project_schema().collection("hooked")
    finally:
        Webhook.objects.all().delete()


def hook(target: str, *, action="item.create:after", method="post", collection="hooked", status="active") -> Webhook:
    return Webhook.objects.create(
        status=status, http_action=method, url=target, collection=collection, directus_action=action
    )


def writer() -> ItemWriter:
    return ItemWriter(project_schema(), Actor(user_id=1), Guard())


def test_create_through_the_api_posts_the_row(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/ok"))
    response = schema_admin_api.post(schema_url("items/hooked"), {"title": "Hello", "pin": "1234"}, format="json")
    assert response.status_code == 200, response.content
    pk = response.json()["data"]["id"]
    got = receiver.next()
    assert (got.method, got.path) == ("POST", "/ok")
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Directus-Event"] == "item.create.hooked:after"
    assert got.json() == {"id": pk, "title": "Hello"}  # hash fields are never sent
    assert receiver.nothing_within(0.3)


def test_update_and_delete_events_with_get_and_post(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/ok"), action="item.update:after", method="get")
    hook(receiver.url("/ok"), action="item.delete:after")
    pk = schema_admin_api.post(schema_url("items/hooked"), {"title": "a"}, format="json").json()["data"]["id"]
    assert receiver.nothing_within(0.3)  # no create webhook
    schema_admin_api.patch(schema_url(f"items/hooked/{pk}"), {"title": "b"}, format="json")
    got = receiver.next()
    assert (got.method, got.body, got.headers["X-Directus-Event"]) == ("GET", b"", "item.update.hooked:after")
    assert schema_admin_api.delete(schema_url(f"items/hooked/{pk}")).status_code == 204
    got = receiver.next()
    assert got.method == "POST"
    assert got.json() == {"id": pk, "title": "b", "pin": None} or got.json() == {"id": pk, "title": "b"}


def test_inactive_and_other_collections_do_not_fire(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/ok"), status="inactive")
    hook(receiver.url("/ok"), collection="other")
    hook(receiver.url("/ok"), action="item.delete:after")
    assert schema_admin_api.post(schema_url("items/hooked"), {"title": "a"}, format="json").status_code == 200
    assert receiver.nothing_within(0.4)


def test_sent_after_commit_only(hooked, receiver):
    hook(receiver.url("/ok"))
    with transaction.atomic(using=hooked_alias()):
        pk = writer().create(hooked, {"title": "later"})
        assert receiver.nothing_within(0.4)  # written, not committed: nothing sent yet
    got = receiver.next()
    assert got.json()["id"] == pk


def test_never_sent_on_rollback(hooked, receiver):
    hook(receiver.url("/ok"))

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic(using=hooked_alias()):
        writer().create(hooked, {"title": "gone"})
        raise Abort
    assert receiver.nothing_within(0.4)


def test_failed_api_write_sends_nothing(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/ok"))
    response = schema_admin_api.post(schema_url("items/hooked"), [{"title": "a"}, {"pin": "no title"}], format="json")
    assert response.status_code == 422
    assert receiver.nothing_within(0.4)


def test_a_hanging_receiver_does_not_slow_the_write(schema_admin_api, schema_url, hooked, receiver, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "WEBHOOK_RETRIES": 0}
    hook(receiver.url("/slow"))
    started = time.monotonic()
    response = schema_admin_api.post(schema_url("items/hooked"), {"title": "quick"}, format="json")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert receiver.next().path == "/slow"  # it did arrive, and hangs there
    assert elapsed < 1.0, elapsed


def test_failing_receiver_is_retried_a_bounded_number_of_times(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/fail"))
    response = schema_admin_api.post(schema_url("items/hooked"), {"title": "x"}, format="json")
    assert response.status_code == 200
    assert [receiver.next().path for _ in range(3)] == ["/fail"] * 3  # 1 + WEBHOOK_RETRIES
    assert receiver.nothing_within(0.4)


def test_unreachable_receiver_does_not_fail_the_write(schema_admin_api, schema_url, hooked):
    closed = Receiver()
    closed.server.server_close()  # nothing listens on that port any more
    hook(closed.url("/ok"))
    response = schema_admin_api.post(schema_url("items/hooked"), {"title": "x"}, format="json")
    assert response.status_code == 200


def test_loopback_not_allow_listed_is_never_contacted(schema_admin_api, schema_url, hooked, receiver, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "WEBHOOK_ALLOWLIST": []}
    hook(receiver.url("/ok"))  # stored directly: the create-time check was bypassed
    assert schema_admin_api.post(schema_url("items/hooked"), {"title": "x"}, format="json").status_code == 200
    assert receiver.nothing_within(0.4)


def test_redirect_to_a_private_address_is_not_followed(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/redirect?to=http://169.254.169.254/latest/meta-data/"))
    assert schema_admin_api.post(schema_url("items/hooked"), {"title": "x"}, format="json").status_code == 200
    assert receiver.next().path == "/redirect"
    assert receiver.nothing_within(0.4)  # refused, not retried


def test_pending_deliveries_are_bounded(hooked, receiver, settings, monkeypatch):
    settings.DIRECTUS = {**settings.DIRECTUS, "WEBHOOK_MAX_PENDING": 0}
    hook(receiver.url("/ok"))
    writer().create(hooked, {"title": "dropped"})  # autocommit: the event is handled at once
    assert receiver.nothing_within(0.4)
    assert dispatch.pool.pending == 0


def hooked_alias() -> str:
    return project_schema().alias


# -- the guard itself -------------------------------------------------------------------------------


def test_guard_follows_allowed_redirects(receiver):
    answer = netguard.send("GET", receiver.url(f"/redirect?to={receiver.url('/ok')}"), allowlist=LOOPBACK)
    assert (answer.status, answer.url) == (200, receiver.url("/ok"))
    assert [receiver.next().path, receiver.next().path] == ["/redirect", "/ok"]


@pytest.mark.parametrize("location", ["http://10.1.2.3/x", "http://169.254.169.254/", "http://[::1]:1/", "file:///x"])
def test_guard_refuses_redirects_to_private_addresses(receiver, location):
    with pytest.raises(netguard.Refused):
        netguard.send("GET", receiver.url(f"/redirect?to={location}"), allowlist=LOOPBACK, timeout=2)


def test_guard_limits_redirects(receiver):
    loop = receiver.url("/redirect?to=" + receiver.url("/redirect?to=/ok"))
    with pytest.raises(netguard.Refused):
        netguard.send("GET", loop, allowlist=LOOPBACK, max_redirects=1)


def test_guard_times_out_on_a_hanging_receiver(receiver):
    # The receiver answers 200 after 3 s: without the 0.5 s timeout the send would succeed.
    with pytest.raises(netguard.DeliveryError):
        netguard.send("GET", receiver.url("/slow"), allowlist=LOOPBACK, timeout=0.5)


def test_guard_refuses_loopback_without_allow_list(receiver):
    with pytest.raises(netguard.Refused):
        netguard.send("GET", receiver.url("/ok"))
    assert receiver.nothing_within(0.2)
