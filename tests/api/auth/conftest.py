"""Helpers for the /auth tests: users with known passwords, settings, and a clean throttle cache."""

import pytest
from django.core.cache import cache

from apps.core.models import ThrottleWindow
from apps.core.passwords import hash_password
from apps.roles.models import ADMIN_ROLE_ID, Role
from apps.settings.models import Setting
from apps.users.models import User, UserStatus

PASSWORD = "s3cret-passw0rd"
USER_AGENT = "auth-tests/1.0"


@pytest.fixture(autouse=True)
def clean_throttles(project):
    # No test may inherit another one's attempts. Counters live in the control database (or, with
    # Redis, in the cache); tests on `schema_project` do not roll it back.
    ThrottleWindow.objects.all().delete()
    cache.clear()
    yield
    cache.clear()


def make_user(email="editor@example.com", *, role=None, status=UserStatus.ACTIVE, password=PASSWORD, **fields):
    if role is None:
        role = Role.objects.get_or_create(name="Editors")[0].pk
    return User.objects.create(email=email, role=role, status=status, password=hash_password(password), **fields)


def make_admin(email="second-admin@example.com"):
    return make_user(email, role=ADMIN_ROLE_ID)


def set_setting(key: str, value) -> None:
    Setting.objects.update_or_create(key=key, defaults={"value": None if value is None else str(value)})


def login(api, url, email, password=PASSWORD, **body):
    extra = body.pop("extra", {})
    return api.post(
        url("auth/authenticate"),
        {"email": email, "password": password, **body},
        format="json",
        HTTP_USER_AGENT=USER_AGENT,
        **extra,
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
