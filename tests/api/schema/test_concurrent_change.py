"""Writers and readers keep going while fields are added and dropped under them.

A request checks the schema once, near its start; another worker may add or drop a column before
its statements run. Such a request refreshes the schema and runs again (once), or answers `503`
with `Retry-After`: never a `500`, and never a row written twice or lost. The writers are real
threads, each with its own database connection, going through the WSGI application while
another thread changes the collection through the API."""

import threading

from django.db import connections

from tests.conftest import admin_client
from tests.helpers import envelope_code

WRITERS = 6
# Fields added and dropped while the writers run; a writer stops when the changes are done (or
# after WRITES_AT_MOST requests).
CHANGES = 8
WRITES_AT_MOST = 400
ID = {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True}
TITLE = {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 40}


def test_writes_while_fields_come_and_go(schema_admin_api, schema_url, schema_project):
    url = schema_url
    response = schema_admin_api.post(url("collections"), {"collection": "busy", "fields": [ID, TITLE]}, format="json")
    assert response.status_code == 200, response.content

    answers: list[tuple[str, int, dict | None, str | None]] = []
    lock = threading.Lock()
    changes_done = threading.Event()
    changes = []

    def record(kind, response):
        body = response.json() if response.content else None
        with lock:
            answers.append((kind, response.status_code, body, response.get("Retry-After")))
        return body

    def writer(number: int):
        client = admin_client()
        try:
            for index in range(WRITES_AT_MOST):
                if changes_done.is_set():
                    break
                title = f"w{number}-{index}"
                body = record("write", client.post(url("items/busy"), {"title": title}, format="json"))
                if body and "data" in body:
                    assert body["data"]["title"] == title
                if index % 5 == 0:
                    record("read", client.get(url("items/busy?limit=3&sort=-id")))
        finally:
            connections.close_all()

    def changer():
        client = admin_client()
        try:
            for number in range(CHANGES):
                field = {"field": f"extra_{number}", "type": "string", "datatype": "VARCHAR", "length": 20}
                added = client.post(url("fields/busy"), field, format="json")
                dropped = client.delete(url(f"fields/busy/extra_{number}"))
                changes.append((added.status_code, dropped.status_code))
        finally:
            changes_done.set()
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    change_thread = threading.Thread(target=changer)
    change_thread.start()
    for thread in threads:
        thread.start()
    change_thread.join(300)
    for thread in threads:
        thread.join(60)
    assert not change_thread.is_alive() and not any(thread.is_alive() for thread in threads)

    # The schema did change under the writers, and every change went through.
    assert changes == [(200, 204)] * CHANGES
    server_errors = [answer for answer in answers if answer[1] >= 500 and answer[1] != 503]
    assert server_errors == []
    for _kind, status, body, retry_after in answers:
        assert status in (200, 503), (status, body)
        if status == 503:
            assert envelope_code(body) in (0, 11) and retry_after, body
    acknowledged = {
        body["data"]["id"]: body["data"]["title"]
        for kind, status, body, _ in answers
        if kind == "write" and status == 200
    }
    with connections[schema_project.alias].cursor() as cursor:
        cursor.execute("SELECT id, title FROM busy")
        stored = dict(cursor.fetchall())
    # Every acknowledged row is there as written, and no request wrote its row twice.
    assert {pk: stored.get(pk) for pk in acknowledged} == acknowledged
    assert len(set(stored.values())) == len(stored)
