"""In one worker: what decides access is kept between requests while no news comes, and any write
to where it comes from is news (apps.projects.news), whatever code makes it. Across real servers:
test_news_workers.py."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from apps.auth.models import UserSession
from apps.projects import news
from apps.users.models import User
from tests.helpers import assert_error

HAS_CHANNEL = {"sqlite": True, "postgres": True, "mariadb": False}  # MariaDB's is Redis, not set here


def statements(project, call) -> int:
    """The statements of a warm request: the same request twice before, uncounted."""
    call(), call()
    with CaptureQueriesContext(connections[project.alias]) as captured:
        response = call()
    assert response.status_code in (200, 204), response.content
    return len(captured)


def test_a_kept_credential_costs_no_statement(engine, project, admin_api, url):
    # /users/me reads the caller's row through the item service: one statement of its own.
    count = statements(project, lambda: admin_api.get(url("users/me")))
    assert count == (1 if HAS_CHANNEL[engine] else 2)


@pytest.mark.parametrize(
    "write",
    [
        lambda pk: User.objects.filter(pk=pk).update(status="suspended"),
        lambda pk: User.objects.filter(pk=pk).update(token="another-token"),
        lambda pk: User.objects.filter(pk=pk).delete(),
    ],
    ids=["status", "token", "deleted"],
)
def test_any_write_to_the_user_row_is_news(project, admin_api, url, write):
    assert admin_api.get(url("users/me")).status_code == 200
    user = User.objects.create(email="second@example.com", status="active", role=1, token="second-token")
    admin_api.credentials(HTTP_AUTHORIZATION="Bearer second-token")
    assert admin_api.get(url("users/me")).status_code == 200
    assert admin_api.get(url("users/me")).status_code == 200  # now kept
    write(user.pk)
    response = admin_api.get(url("users/me"))
    assert response.status_code == 401, response.content


def test_what_is_news_and_what_is_not(engine, project):
    if not HAS_CHANNEL[engine]:
        assert news.generation(project.alias) is None
        return
    before = news.generation(project.alias)
    UserSession.objects.create(user=1, token="a-new-session", token_type="jwt")
    assert news.generation(project.alias) == before  # a new session changes no kept answer
    User.objects.filter(pk=1).update(last_page="/somewhere")
    after_user = news.generation(project.alias)
    assert after_user > before
    UserSession.objects.filter(token="a-new-session").delete()
    assert news.generation(project.alias) > after_user


def test_a_rolled_back_write_is_news_for_the_worker_that_made_it(engine, project):
    if not HAS_CHANNEL[engine]:
        assert news.generation(project.alias) is None  # nothing is kept: every request reads
        return
    with transaction.atomic(using=project.alias):
        sid = transaction.savepoint(using=project.alias)
        User.objects.filter(pk=1).update(status="suspended")
        during = news.generation(project.alias)
        transaction.savepoint_rollback(sid, using=project.alias)
        assert news.generation(project.alias) > during


def test_news_off_reads_per_request(project, admin_api, url, settings):
    settings.DIRECTUS = {**settings.DIRECTUS, "NEWS": "off"}
    news.forget(project.alias)
    try:
        assert news.generation(project.alias) is None
        assert statements(project, lambda: admin_api.get(url("users/me"))) == 2
        User.objects.filter(pk=1).update(status="suspended")
        assert_error(admin_api.get(url("users/me")), 401, 103)
    finally:
        news.forget(project.alias)


def test_nothing_is_kept_longer_than_the_set_age(project, admin_api, url, settings):
    # With an age of 0 a lost notice could not matter: every request reads the caller and the version.
    settings.DIRECTUS = {**settings.DIRECTUS, "CREDENTIAL_CACHE_SECONDS": 0}
    assert statements(project, lambda: admin_api.get(url("users/me"))) == 2


def test_the_schema_version_is_read_again_after_the_set_age(engine, project, api, url, settings):
    # A request without a credential checks the schema version through the news alone.
    def count() -> int:
        api.get(url("collections")), api.get(url("collections"))
        with CaptureQueriesContext(connections[project.alias]) as captured:
            assert_error(api.get(url("collections")), 401, 3)
        return len(captured)

    warm = count()
    settings.DIRECTUS = {**settings.DIRECTUS, "CREDENTIAL_CACHE_SECONDS": 0}
    assert count() == warm + (1 if HAS_CHANNEL[engine] else 0)
