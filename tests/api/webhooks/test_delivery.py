"""Webhook delivery (webhooks.md § Delivery, deviations.md 9 and 16): a write queues one delivery
per matching webhook in its own transaction; the delivery worker's pass (`queue.send_due`, what
`manage.py deliver` runs) sends them to a receiver on loopback that the tests allow-list. These
tests commit for real (no surrounding transaction), so they build their own collection and remove
it, and every webhook and delivery row, afterwards."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.access.interface import Guard
from apps.core import netguard
from apps.items.audit import Actor
from apps.items.services import ItemWriter
from apps.operations import delivery as delivery_worker
from apps.projects.context import require_project
from apps.schema import services as schema_services
from apps.schema.cache import project_schema
from apps.webhooks import queue
from apps.webhooks.models import Delivery, Webhook
from tests.blog import admin_identity

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
        "WEBHOOK_RETRY_DELAY": 60,
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
        Delivery.objects.all().delete()


def hook(target: str, *, action="item.create:after", method="post", collection="hooked", status="active") -> Webhook:
    return Webhook.objects.create(
        status=status, http_action=method, url=target, collection=collection, directus_action=action
    )


def writer() -> ItemWriter:
    return ItemWriter(project_schema(), Actor(user_id=1), Guard())


def deliveries() -> list[Delivery]:
    return list(Delivery.objects.order_by("id"))


def make_due() -> None:
    """Let the waits run out: every queued delivery is due now."""
    Delivery.objects.filter(status=Delivery.QUEUED).update(due_on=timezone.now())


def test_create_is_queued_by_the_request_and_posted_by_the_worker(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/ok"))
    response = schema_admin_api.post(schema_url("items/hooked"), {"title": "Hello", "pin": "1234"}, format="json")
    assert response.status_code == 200, response.content
    pk = response.json()["data"]["id"]
    [queued] = deliveries()
    assert (queued.status, queued.attempts, queued.event) == ("queued", 0, "item.create.hooked:after")
    assert receiver.nothing_within(0.3)  # the request itself sends nothing

    assert queue.send_due()["sent"] == 1
    got = receiver.next()
    assert (got.method, got.path) == ("POST", "/ok")
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Directus-Event"] == "item.create.hooked:after"
    assert got.headers["X-Directus-Project"] == require_project().key
    assert got.json() == {"id": pk, "title": "Hello"}  # hash fields are never sent
    [sent] = deliveries()
    assert (sent.status, sent.attempts, sent.last_error, sent.claimed_by) == ("sent", 1, None, None)
    assert queue.send_due()["sent"] == 0  # sent once
    assert receiver.nothing_within(0.3)


def test_update_and_delete_events_with_get_and_post(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/ok"), action="item.update:after", method="get")
    hook(receiver.url("/ok"), action="item.delete:after")
    pk = schema_admin_api.post(schema_url("items/hooked"), {"title": "a"}, format="json").json()["data"]["id"]
    assert deliveries() == []  # no create webhook
    schema_admin_api.patch(schema_url(f"items/hooked/{pk}"), {"title": "b"}, format="json")
    assert schema_admin_api.delete(schema_url(f"items/hooked/{pk}")).status_code == 204
    assert queue.send_due()["sent"] == 2
    got = sorted(receiver.all(), key=lambda request: request.method)
    assert [(request.method, request.headers["X-Directus-Event"]) for request in got] == [
        ("GET", "item.update.hooked:after"),
        ("POST", "item.delete.hooked:after"),
    ]
    assert got[0].body == b""
    assert got[1].json() in ({"id": pk, "title": "b", "pin": None}, {"id": pk, "title": "b"})


def test_users_credentials_never_reach_a_receiver(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/ok"), collection="directus_users")
    hook(receiver.url("/ok"), collection="directus_users", action="item.update:after")
    created = schema_admin_api.post(
        schema_url("users"),
        {"email": "hooked@example.com", "password": "a long password", "status": "active", "role": 1},
        format="json",
    )
    assert created.status_code == 200, created.content
    pk = created.json()["data"]["id"]
    changed = schema_admin_api.patch(
        schema_url(f"users/{pk}"), {"token": "static-token-value", "2fa_secret": "ABCDEFGHIJKLMNOP"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    try:
        assert queue.send_due()["sent"] == 2
        bodies = [request.json() for request in receiver.all()]
        assert [body["email"] for body in bodies] == ["hooked@example.com"] * 2
        for body in bodies:
            assert not {"password", "token", "2fa_secret", "password_reset_token"} & set(body)
    finally:
        schema_admin_api.delete(schema_url(f"users/{pk}"))


def test_inactive_and_other_collections_queue_nothing(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/ok"), status="inactive")
    hook(receiver.url("/ok"), collection="other")
    hook(receiver.url("/ok"), action="item.delete:after")
    assert schema_admin_api.post(schema_url("items/hooked"), {"title": "a"}, format="json").status_code == 200
    assert deliveries() == []


def test_queued_in_the_writing_transaction(hooked, receiver):
    hook(receiver.url("/ok"))
    with transaction.atomic(using=hooked_alias()):
        pk = writer().create(hooked, {"title": "later"})
        assert [row.status for row in deliveries()] == ["queued"]  # in the same transaction
    queue.send_due()
    assert receiver.next().json()["id"] == pk


def test_never_queued_on_rollback(hooked, receiver):
    hook(receiver.url("/ok"))

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic(using=hooked_alias()):
        writer().create(hooked, {"title": "gone"})
        raise Abort
    assert deliveries() == []
    queue.send_due()
    assert receiver.nothing_within(0.3)


def test_failed_api_write_queues_nothing(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/ok"))
    response = schema_admin_api.post(schema_url("items/hooked"), [{"title": "a"}, {"pin": "no title"}], format="json")
    assert response.status_code == 422
    assert deliveries() == []


def test_a_batch_queues_one_delivery_per_item(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/ok"))
    response = schema_admin_api.post(schema_url("items/hooked"), [{"title": f"t{n}"} for n in range(5)], format="json")
    assert response.status_code == 200
    assert queue.send_due()["sent"] == 5
    assert sorted(request.json()["title"] for request in receiver.all()) == [f"t{n}" for n in range(5)]


def test_a_hanging_receiver_is_cut_off_and_tried_again_later(hooked, receiver):
    hook(receiver.url("/slow"))  # answers after 3 s; the timeout is 1 s
    writer().create(hooked, {"title": "quick"})
    before = timezone.now()
    assert queue.send_due() == {"sent": 0, "failed": 0, "queued": 1, "cancelled": 0}
    assert receiver.next().path == "/slow"
    [row] = deliveries()
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.last_error
    assert row.due_on >= before + timedelta(seconds=60)  # WEBHOOK_RETRY_DELAY


def test_failing_receiver_is_retried_with_backoff_then_given_up(hooked, receiver):
    hook(receiver.url("/fail"))
    writer().create(hooked, {"title": "x"})
    waits = []
    for _ in range(2):
        before = timezone.now()
        assert queue.send_due()["queued"] == 1
        [row] = deliveries()
        waits.append(row.due_on - before)
        assert queue.send_due()["queued"] == 0  # not due yet: nothing is sent
        make_due()
    assert timedelta(seconds=60) <= waits[0] < timedelta(seconds=70)
    assert timedelta(seconds=120) <= waits[1] < timedelta(seconds=130)  # doubled
    assert queue.send_due()["failed"] == 1  # 1 + WEBHOOK_RETRIES attempts
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "HTTP 500")
    assert [request.path for request in receiver.all()] == ["/fail"] * 3
    make_due()
    assert queue.send_due()["failed"] == 0


def test_a_client_error_answer_is_not_retried(hooked, receiver):
    hook(receiver.url("/gone"))
    writer().create(hooked, {"title": "x"})
    assert queue.send_due()["sent"] == 1
    [row] = deliveries()
    assert (row.status, row.last_error) == ("sent", "HTTP 410")


def test_a_receiver_that_was_down_gets_the_delivery_when_it_is_back(schema_admin_api, schema_url, hooked):
    closed = Receiver()
    port = closed.port
    closed.server.server_close()  # nothing listens on that port any more
    hook(closed.url("/ok"))
    response = schema_admin_api.post(schema_url("items/hooked"), {"title": "x"}, format="json")
    assert response.status_code == 200
    assert queue.send_due()["queued"] == 1
    make_due()
    with Receiver(port=port) as back:
        assert queue.send_due()["sent"] == 1
        assert back.next().json()["title"] == "x"
    [row] = deliveries()
    assert (row.status, row.attempts) == ("sent", 2)


def test_loopback_not_allow_listed_is_never_contacted(schema_admin_api, schema_url, hooked, receiver, settings):
    hook(receiver.url("/ok"))  # stored directly: the create-time check was bypassed
    assert schema_admin_api.post(schema_url("items/hooked"), {"title": "x"}, format="json").status_code == 200
    settings.DIRECTUS = {**settings.DIRECTUS, "WEBHOOK_ALLOWLIST": []}
    assert queue.send_due()["failed"] == 1  # refused: not retried
    assert receiver.nothing_within(0.3)
    [row] = deliveries()
    assert row.last_error.startswith("refused")


def test_redirect_to_a_private_address_is_not_followed(schema_admin_api, schema_url, hooked, receiver):
    hook(receiver.url("/redirect?to=http://169.254.169.254/latest/meta-data/"))
    assert schema_admin_api.post(schema_url("items/hooked"), {"title": "x"}, format="json").status_code == 200
    assert queue.send_due()["failed"] == 1
    assert receiver.next().path == "/redirect"
    assert receiver.nothing_within(0.3)  # refused, not retried


def test_a_webhook_deactivated_or_deleted_before_the_send_is_cancelled(hooked, receiver):
    paused = hook(receiver.url("/ok"))
    deleted = hook(receiver.url("/ok"))
    writer().create(hooked, {"title": "x"})
    assert len(deliveries()) == 2
    Webhook.objects.filter(id=paused.id).update(status="inactive")
    Webhook.objects.filter(id=deleted.id).delete()
    assert queue.send_due()["cancelled"] == 2
    assert receiver.nothing_within(0.3)
    assert [row.status for row in deliveries()] == ["cancelled", "cancelled"]


def test_a_claimed_delivery_is_left_to_its_worker_until_the_claim_runs_out(hooked, receiver):
    hook(receiver.url("/ok"))
    writer().create(hooked, {"title": "x"})
    now = timezone.now()
    [mine] = queue._claim(now)  # another worker's pass holds it
    assert queue._claim(now) == []
    assert queue.send_due()["sent"] == 0
    assert receiver.nothing_within(0.2)
    # That worker died: once its claim has run out, the next pass sends the delivery.
    Delivery.objects.filter(id=mine.id).update(claimed_until=now - timedelta(seconds=1))
    assert queue.send_due()["sent"] == 1
    assert receiver.next().path == "/ok"
    # The dead worker's late report changes nothing.
    queue._record(mine, queue.Outcome(Delivery.FAILED, "late"), timezone.now())
    [row] = deliveries()
    assert (row.status, row.last_error) == ("sent", None)


def test_finished_deliveries_are_pruned_after_the_keep_period(hooked, receiver, settings):
    hook(receiver.url("/ok"))
    hook(receiver.url("/fail"))
    for title in ("old", "new"):
        writer().create(hooked, {"title": title})
    queue.send_due()  # two sent, two to retry
    old = timezone.now() - timedelta(days=8)
    Delivery.objects.filter(id__in=[row.id for row in deliveries()[:2]]).update(finished_on=old)
    Delivery.objects.filter(status=Delivery.QUEUED).update(created_on=old)
    delivery_worker._pruned.clear()
    delivery_worker.deliver_project(require_project())  # the worker's pass, with its hourly pruning
    left = deliveries()
    assert [row.status for row in left] == ["queued", "sent", "queued"]  # the old sent one went; queued stay


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
