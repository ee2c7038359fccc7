"""Deviation 7: the last-admin check is atomic. Two demotions of the last two active admins,
running at the same time, cannot both pass; the loser gets 403 code 216."""

import threading
import time

from django.db import connections, transaction

from apps.projects.context import using_project
from apps.users.models import User
from apps.users.services import ensure_other_active_admin
from tests.conftest import ADMIN_TOKEN
from tests.helpers import error_of

from .factories import client_with_token


def test_concurrent_demotions_of_the_last_two_admins(schema_project, schema_url):
    alias = schema_project.alias
    second = User.objects.create(email="second-admin@example.com", role=1, status="active")
    locked, release = threading.Event(), threading.Event()
    outcome = {}

    def demote_first_admin():
        # An admin request in flight: admin 1 is being suspended, not yet committed.
        try:
            with using_project(schema_project), transaction.atomic(using=alias):
                ensure_other_active_admin(1)
                User.objects.filter(pk=1).update(status="suspended")
                locked.set()
                release.wait(10)
        except Exception as exc:  # reported below
            outcome["first"] = exc
        finally:
            locked.set()
            connections.close_all()

    def demote_second_admin():
        try:
            response = client_with_token(ADMIN_TOKEN).patch(
                schema_url(f"users/{second.pk}"), {"status": "suspended"}, format="json"
            )
            outcome["second"] = response
        finally:
            connections.close_all()

    first = threading.Thread(target=demote_first_admin)
    first.start()
    try:
        assert locked.wait(10)
        other = threading.Thread(target=demote_second_admin)
        other.start()
        time.sleep(0.5)  # the request reaches the admin rows' lock (or waits for the write lock)
        release.set()
        first.join(15)
        other.join(15)
        assert "first" not in outcome, outcome.get("first")
        response = outcome["second"]
        assert error_of(response) == (403, 216), response.content
        statuses = dict(User.objects.filter(role=1).values_list("pk", "status"))
        assert statuses[1] == "suspended" and statuses[second.pk] == "active"
    finally:
        release.set()
        first.join(15)
        User.objects.filter(pk=1).update(status="active")
        User.objects.filter(pk=second.pk).delete()
