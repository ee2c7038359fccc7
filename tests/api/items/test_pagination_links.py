"""`meta=page` links (deviation 22): they keep the query but never a token given in it."""

from rest_framework.test import APIClient

from tests.conftest import ADMIN_TOKEN


def test_links_keep_the_query_but_not_the_access_token(project, url):
    query = {"meta": "page", "limit": 1, "sort": "id", "access_token": ADMIN_TOKEN}
    response = APIClient().get(url("roles"), query)
    assert response.status_code == 200, response.content
    links = response.json()["meta"]["links"]
    assert links["next"] and links["last"]
    assert "sort=id" in links["next"] and "limit=1" in links["next"]
    for link in links.values():
        assert link is None or (ADMIN_TOKEN not in link and "access_token" not in link)
