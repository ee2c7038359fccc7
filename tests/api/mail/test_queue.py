"""Mail never fails a request (deviation 16): password requests, invitations and POST /mail
queue their message in the project's database; the delivery worker sends it to a real SMTP
server on loopback, and a mail server that is down (a port nothing listens on) only delays it."""

import datetime
import re

import pytest
from django.utils import timezone
from post_office.models import STATUS, Email, Log

from apps.users.models import User
from tests.api.users.factories import set_setting
from tests.conftest import ADMIN_EMAIL

from .conftest import free_port

APP_URL = "https://app.example.com/"


def test_password_request_with_the_mail_server_down(api, url, project, smtp, settings):
    set_setting("app_url", APP_URL)
    live_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()
    known = api.post(url("auth/password/request"), {"email": ADMIN_EMAIL}, format="json")
    unknown = api.post(url("auth/password/request"), {"email": "nobody@example.com"}, format="json")
    assert known.status_code == unknown.status_code == 204
    assert known.content == unknown.content == b""
    (queued,) = Email.objects.all()
    assert queued.to == [ADMIN_EMAIL] and queued.status == STATUS.queued

    assert smtp() == []  # a delivery run while the server is down: the mail stays queued
    queued.refresh_from_db()
    assert (queued.status, queued.number_of_retries) == (STATUS.requeued, 1)
    assert Log.objects.filter(email=queued, status=STATUS.failed, exception_type="ConnectionRefusedError").exists()

    settings.EMAIL_PORT = live_port
    (sent,) = smtp()
    assert sent["to"] == [ADMIN_EMAIL]
    text = sent["message"].get_body(("plain",)).get_content()
    token = re.search(r"token=([\w.-]+)", text).group(1)
    assert User.objects.get(email=ADMIN_EMAIL).password_reset_token == token
    queued.refresh_from_db()
    assert queued.status == STATUS.sent
    assert smtp() == [sent]  # sent once


def test_invitation_with_the_mail_server_down(admin_api, url, project, smtp, settings):
    set_setting("app_url", APP_URL)
    live_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()
    response = admin_api.post(url("users/invite"), {"email": "new@example.com"}, format="json")
    assert response.status_code == 200, response.content
    assert [row["status"] for row in response.json()["data"]] == ["invited"]
    assert User.objects.filter(email="new@example.com", status="invited").exists()
    assert smtp() == []
    assert Email.objects.get().status == STATUS.requeued

    settings.EMAIL_PORT = live_port
    (sent,) = smtp()
    assert sent["to"] == ["new@example.com"]
    assert f"{APP_URL}#/accept-invite?token=" in sent["message"].get_body(("plain",)).get_content()


def test_retries_back_off_and_end(admin_api, url, project, smtp, settings):
    """Each failure doubles the wait; after MAX_RETRIES the mail is failed, for the operator."""
    interval = datetime.timedelta(seconds=60)
    settings.POST_OFFICE = {**settings.POST_OFFICE, "MAX_RETRIES": 2, "RETRY_INTERVAL": interval}
    live_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()
    response = admin_api.post(url("mail"), {"to": "a@example.com", "body": "x"}, format="json")
    assert response.status_code == 204, response.content

    def run_when_due() -> Email:
        Email.objects.update(scheduled_time=timezone.now() - datetime.timedelta(seconds=1))
        assert smtp() == []
        return Email.objects.get()

    first = run_when_due()
    assert (first.status, first.number_of_retries) == (STATUS.requeued, 1)
    second = run_when_due()
    assert (second.status, second.number_of_retries) == (STATUS.requeued, 2)
    assert second.scheduled_time == second.last_updated + 2 * interval
    assert run_when_due().status == STATUS.failed
    assert Log.objects.filter(status=STATUS.failed).count() == 3

    settings.EMAIL_PORT = live_port
    assert run_when_due().status == STATUS.failed  # given up: not sent again


def test_a_rolled_back_request_queues_nothing(admin_api, url, project, smtp):
    """The mail is part of the request's transaction: an invitation that fails sends nothing."""
    set_setting("app_url", APP_URL)
    response = admin_api.post(url("users/invite"), {"email": ["ok@example.com", "bad address"]}, format="json")
    assert response.status_code == 422
    assert not Email.objects.exists()
    assert smtp() == []


@pytest.mark.parametrize("name", ["Doe, John", "Ünïcode, Name"])
def test_names_with_commas_reach_the_server_whole(admin_api, url, project, smtp, name):
    user = User.objects.create(email="named@example.com", first_name=name, status="active")
    response = admin_api.post(url("mail"), {"to": [user.pk, "b@example.com"], "body": "x"}, format="json")
    assert response.status_code == 204, response.content
    (sent,) = smtp()
    assert sorted(sent["to"]) == ["b@example.com", "named@example.com"]
    names = {address.addr_spec: address.display_name for address in sent["message"]["To"].addresses}
    assert names == {"named@example.com": name, "b@example.com": ""}


def test_sent_and_failed_mail_is_pruned_after_the_keep_period(project, smtp):
    from apps.mail import outbox

    for subject in ("sent long ago", "failed long ago", "queued long ago", "sent lately"):
        outbox.queue(to=["someone@example.com"], subject=subject, text="hello")
    smtp()  # delivers all four
    long_ago = timezone.now() - datetime.timedelta(days=8)
    Email.objects.filter(subject__endswith="long ago").update(created=long_ago)
    Email.objects.filter(subject="failed long ago").update(status=STATUS.failed)
    Email.objects.filter(subject="queued long ago").update(status=STATUS.queued)
    gone = list(Email.objects.filter(subject__in=["sent long ago", "failed long ago"]).values_list("id", flat=True))
    for email_id in gone:
        Log.objects.create(email_id=email_id, status=STATUS.failed, exception_type="SMTPException", message="earlier")

    assert outbox.prune(timezone.now() - datetime.timedelta(days=7)) == 2
    assert sorted(Email.objects.values_list("subject", flat=True)) == ["queued long ago", "sent lately"]
    assert not Log.objects.filter(email_id__in=gone).exists()


def test_one_worker_at_a_time_sends_a_projects_mail(project, smtp):
    from apps.mail import outbox
    from apps.mail.models import SendingLease

    outbox.queue(to=["someone@example.com"], subject="once", text="hello")
    assert outbox.take_lease("another worker")
    assert smtp() == []  # that worker is sending this project's mail: this pass leaves it
    assert Email.objects.get().status == STATUS.queued
    # That worker died: once its lease has run out, the next pass sends.
    SendingLease.objects.update(until=timezone.now() - datetime.timedelta(seconds=1))
    assert [message["to"] for message in smtp()] == [["someone@example.com"]]
    assert outbox.take_lease("another worker")  # released at the end of the pass
