"""Login throttles per (account, IP) and per IP, OTP and reset-request limits, the counters every
worker shares, and the `login_attempts_allowed` lockout (deviation 6 and the Limits table of
deviations.md)."""

import logging
import os
import signal
import socket
import uuid
from contextlib import contextmanager

import pyotp
import pytest
import redis
from django.test import override_settings

from apps.activity.models import Activity
from apps.core.models import ThrottleWindow
from apps.users.models import User, UserStatus
from directus.settings import base as base_settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.helpers import error_of

from .conftest import login, make_admin, make_user, set_setting

OTHER_IP = {"REMOTE_ADDR": "10.9.9.9"}
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
REDIS = "django.core.cache.backends.redis.RedisCache"


def assert_throttled(response, window: int):
    assert response.status_code == 429
    assert response.json() == {"error": {"code": 7, "message": "Too Many Requests"}}
    assert 1 <= int(response["Retry-After"]) <= window


def test_login_throttled_per_account_and_ip_after_5_failures(api, url, project):
    for _ in range(5):
        assert login(api, url, ADMIN_EMAIL, "wrong").status_code == 404

    # The sixth attempt is refused before the password is looked at, even the right one.
    assert_throttled(login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD), 60)
    assert Activity.objects.filter(action="invalid-credentials").count() == 5
    # Another address, or another account from this address, is not affected.
    assert login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD, extra=OTHER_IP).status_code == 200
    user = make_user()
    assert login(api, url, user.email).status_code == 200


def test_unknown_accounts_are_throttled_alike(api, url, project):
    for _ in range(5):
        assert login(api, url, "nobody@example.com", "wrong").status_code == 404
    assert_throttled(login(api, url, "nobody@example.com", "wrong"), 60)


def test_successful_logins_do_not_count(api, url, project):
    for _ in range(4):
        login(api, url, ADMIN_EMAIL, "wrong")
    for _ in range(6):
        assert login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200
    assert login(api, url, ADMIN_EMAIL, "wrong").status_code == 404
    assert login(api, url, ADMIN_EMAIL, "wrong").status_code == 429


def test_login_throttled_per_ip_after_30_failures(api, url, project):
    for attempt in range(30):
        response = login(api, url, f"guess{attempt // 5}@example.com", "wrong")
        assert response.status_code == 404, attempt

    assert_throttled(login(api, url, "fresh@example.com", "wrong"), 60)
    assert_throttled(login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD), 60)
    assert login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD, extra=OTHER_IP).status_code == 200


def test_limits_follow_configuration(api, url, project, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "LOGIN_ATTEMPTS_PER_ACCOUNT_IP": 2}
    for _ in range(2):
        assert login(api, url, ADMIN_EMAIL, "wrong").status_code == 404
    assert login(api, url, ADMIN_EMAIL, "wrong").status_code == 429


def test_otp_throttled_after_5_wrong_codes(api, url, project):
    user = make_user(two_factor_secret=pyotp.random_base32())
    current = int(pyotp.TOTP(user.two_factor_secret).now())
    wrong = f"{(current + 500_000) % 1_000_000:06d}"
    for _ in range(5):
        assert error_of(login(api, url, user.email, otp=wrong)) == (404, 112)

    assert_throttled(login(api, url, user.email, otp=pyotp.TOTP(user.two_factor_secret).now()), 300)


def test_password_reset_requests_throttled_after_3(api, url, project):
    set_setting("app_url", "https://cms.example.com/admin")
    for email in [ADMIN_EMAIL] * 3:
        assert api.post(url("auth/password/request"), {"email": email}, format="json").status_code == 204

    assert_throttled(api.post(url("auth/password/request"), {"email": ADMIN_EMAIL}, format="json"), 3600)
    assert api.post(url("auth/password/request"), {"email": "x@example.com"}, format="json").status_code == 204


def test_password_reset_requests_throttled_after_20_per_ip(api, url, project):
    """One address asking for many accounts: the 20th request is answered, the 21st refused."""
    address = {"REMOTE_ADDR": "10.7.7.7"}
    for index in range(20):
        response = api.post(url("auth/password/request"), {"email": f"u{index}@example.com"}, format="json", **address)
        assert response.status_code == 204, index
    refused = api.post(url("auth/password/request"), {"email": "u20@example.com"}, format="json", **address)
    assert_throttled(refused, 3600)
    assert (
        api.post(url("auth/password/request"), {"email": "u20@example.com"}, format="json", **OTHER_IP).status_code
        == 204
    )


# -- counters shared by every worker -----------------------------------------------------------------

REDIS_URL = os.environ.get("DIRECTUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def local_cache(name: str):
    """The local-memory cache of one worker process: another name is another process's."""
    return override_settings(CACHES={"default": {"BACKEND": LOCMEM, "LOCATION": name}})


@contextmanager
def redis_cache(location: str):
    """Redis as the cache, under a key prefix of this test's own; its keys are removed afterwards."""
    prefix = f"directus-test-{uuid.uuid4().hex}"
    try:
        with override_settings(CACHES={"default": {**base_settings.redis_cache(location), "KEY_PREFIX": prefix}}):
            yield
    finally:
        client = redis.Redis.from_url(location, socket_connect_timeout=1)
        try:
            keys = list(client.scan_iter(match=f"{prefix}:*"))
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass


def redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def test_workers_without_redis_share_the_counts(api, url, project):
    # Each attempt reaches another worker, each with a cache of its own.
    for worker in range(5):
        with local_cache(f"worker-{worker}"):
            assert login(api, url, ADMIN_EMAIL, "wrong").status_code == 404

    with local_cache("worker-5"):
        assert_throttled(login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD), 60)


def test_reset_and_otp_counts_are_shared_too(api, url, project):
    set_setting("app_url", "https://cms.example.com/admin")
    user = make_user(two_factor_secret=pyotp.random_base32())
    wrong = f"{(int(pyotp.TOTP(user.two_factor_secret).now()) + 500_000) % 1_000_000:06d}"
    for worker in range(5):
        with local_cache(f"worker-{worker}"):
            assert error_of(login(api, url, user.email, otp=wrong)) == (404, 112)
            if worker < 3:
                assert api.post(url("auth/password/request"), {"email": user.email}, format="json").status_code == 204

    with local_cache("worker-5"):
        assert_throttled(login(api, url, user.email, otp=wrong), 300)
        assert_throttled(api.post(url("auth/password/request"), {"email": user.email}, format="json"), 3600)


@pytest.mark.skipif(not redis_reachable(), reason=f"no Redis at {REDIS_URL}")
def test_counts_live_in_redis_when_configured(api, url, project):
    # Tests without a rolled-back control database may have left windows there: none may move.
    windows = list(ThrottleWindow.objects.order_by("key").values_list("key", "count", "expires_at"))
    with redis_cache(REDIS_URL):
        for _ in range(5):
            assert login(api, url, ADMIN_EMAIL, "wrong").status_code == 404
        assert_throttled(login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD), 60)

    assert list(ThrottleWindow.objects.order_by("key").values_list("key", "count", "expires_at")) == windows


def test_counts_fall_back_to_the_control_database_when_redis_is_down(api, url, project, caplog):
    # Nothing listens on port 1: every cache call fails at once.
    with redis_cache("redis://127.0.0.1:1/0"), caplog.at_level(logging.WARNING, logger="directus.auth"):
        for _ in range(5):
            assert login(api, url, ADMIN_EMAIL, "wrong").status_code == 404
        assert_throttled(login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD), 60)
        assert login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD, extra=OTHER_IP).status_code == 200

    assert any("control database" in record.getMessage() for record in caplog.records)


# -- lockout --------------------------------------------------------------------------------------


@pytest.fixture
def two_attempts_allowed(project):
    set_setting("login_attempts_allowed", 2)


def test_user_suspended_after_login_attempts_allowed(api, url, two_attempts_allowed):
    user = make_user()
    for _ in range(2):
        assert error_of(login(api, url, user.email, "wrong")) == (404, 100)
    assert User.objects.get(pk=user.pk).status == UserStatus.ACTIVE

    third = login(api, url, user.email, "wrong")

    # The failure that suspends looks like every other failure.
    assert error_of(third) == (404, 100)
    assert User.objects.get(pk=user.pk).status == UserStatus.SUSPENDED
    assert Activity.objects.filter(action="status-update", item=str(user.pk)).exists()
    right = login(api, url, user.email)
    assert error_of(right) == (404, 103)


def test_successful_login_resets_the_failure_count(api, url, two_attempts_allowed):
    user = make_user()
    for _ in range(2):
        login(api, url, user.email, "wrong")
    assert login(api, url, user.email).status_code == 200
    for _ in range(2):
        login(api, url, user.email, "wrong")
    assert User.objects.get(pk=user.pk).status == UserStatus.ACTIVE


def test_last_active_admin_is_never_suspended(api, url, two_attempts_allowed):
    for _ in range(4):
        assert login(api, url, ADMIN_EMAIL, "wrong").status_code == 404

    assert User.objects.get(pk=1).status == UserStatus.ACTIVE
    assert login(api, url, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200


def test_an_admin_with_another_active_admin_is_suspended(api, url, two_attempts_allowed):
    make_admin()
    for _ in range(3):
        login(api, url, ADMIN_EMAIL, "wrong")
    assert User.objects.get(pk=1).status == UserStatus.SUSPENDED


def test_no_lockout_when_disabled(api, url, project):
    set_setting("login_attempts_allowed", 0)
    user = make_user()
    for _ in range(5):
        login(api, url, user.email, "wrong")
    assert User.objects.get(pk=user.pk).status == UserStatus.ACTIVE


def test_a_redis_that_stops_answering_does_not_hold_logins(api, url, project, caplog):
    """A Redis host that accepts connections and never answers: each call gives up after the
    configured timeout (DIRECTUS_REDIS_TIMEOUT) and the attempt is counted in the control
    database."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog; nothing ever reads them
    cache = {**base_settings.redis_cache(f"redis://127.0.0.1:{silent.getsockname()[1]}/0"), "KEY_PREFIX": "silent"}

    def never_answered(signum, frame):
        raise TimeoutError("the login never answered")

    # A liveness bound, not a speed one: a Redis call without a timeout would never end.
    previous = signal.signal(signal.SIGALRM, never_answered)
    signal.alarm(120)
    try:
        with override_settings(CACHES={"default": cache}), caplog.at_level(logging.WARNING, logger="directus.auth"):
            response = login(api, url, ADMIN_EMAIL, "wrong")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        silent.close()
    assert error_of(response) == (404, 100)
    assert "fall back to the control database" in caplog.text
    assert ThrottleWindow.objects.filter(count=1).exists()
