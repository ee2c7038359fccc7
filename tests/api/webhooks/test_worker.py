"""The real pieces: gunicorn takes an item write whose webhook the delivery worker
(`manage.py deliver`) then sends to a receiver on loopback. The worker is killed (SIGKILL) while
the receiver holds its request; a new worker sends the delivery again once the dead one's claim
has run out, and the queue records it sent, once."""

import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tests.engines import database_url
from tests.live import ROOT, STARTUP_SECONDS, TOKEN, Server, environment, manage, wait_for

from .receiver import Receiver

ADMIN = "admin@example.com"


def _worker(env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "a")  # noqa: SIM115 - the child holds it; closed with the test's directory
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def test_a_delivery_whose_worker_is_killed_is_sent_by_the_next_worker():
    key = f"hookq-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="directus-hookq-") as tmp, Receiver(slow_seconds=60) as receiver:
        data_dir = Path(tmp)
        env = environment(data_dir)
        env.update(
            DIRECTUS_WEBHOOK_ALLOWLIST="127.0.0.1/32",
            DIRECTUS_WEBHOOK_TIMEOUT="2",  # a claim then lasts 2 s + the 5 s margin
            DIRECTUS_WEBHOOK_RETRY_SECONDS="0",
            DIRECTUS_DELIVERY_INTERVAL="0.2",
        )
        manage(env, "migrate", "--verbosity", "0")
        name = f"dxt_hookq_{key[-8:]}"
        url = database_url("sqlite", name, data_dir)
        manage(env, "createproject", key, "--database-url", url, "--admin-email", ADMIN,
                "--admin-password", "webhook queue password", "--admin-token", TOKEN)  # fmt: skip
        server = Server("hookq", env, data_dir)
        workers: list[subprocess.Popen] = []
        try:
            server.wait_ready(time.monotonic() + STARTUP_SECONDS)
            status, body = server.call("POST", f"/{key}/collections", {
                "collection": "orders",
                "fields": [
                    {"field": "id", "type": "integer", "datatype": "INT", "primary_key": True, "auto_increment": True},
                    {"field": "title", "type": "string", "datatype": "VARCHAR", "length": 100},
                ],
            })  # fmt: skip
            assert status == 200, body
            status, body = server.call("POST", f"/{key}/webhooks", {
                "status": "active", "http_action": "post", "url": receiver.url("/slow-first"),
                "collection": "orders", "directus_action": "item.create:after",
            })  # fmt: skip
            assert status == 200, body
            status, body = server.call("POST", f"/{key}/items/orders", {"title": "first order"})
            assert status == 200, body

            workers.append(_worker(env, data_dir / "deliver.log"))
            first = receiver.next(timeout=30)  # the first worker's attempt, held by the receiver
            assert first.json()["title"] == "first order"
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait(timeout=10)

            workers.append(_worker(env, data_dir / "deliver.log"))
            again = receiver.next(timeout=30)  # once the dead worker's claim ran out
            assert again.body == first.body
            assert again.headers["X-Directus-Event"] == "item.create.orders:after"

            database = data_dir / "projects" / f"{name}.sqlite3"

            def recorded():
                with sqlite3.connect(database) as connection:
                    return connection.execute(
                        "SELECT status, attempts FROM django_directus_webhook_delivery"
                    ).fetchall()

            wait_for(lambda: recorded() == [("sent", 1)], "the delivery recorded as sent")
            workers[1].send_signal(signal.SIGTERM)
            assert workers[1].wait(timeout=10) == 0
            assert receiver.nothing_within(0.5)  # sent twice in all (one lost with its worker), never more
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
            server.stop()
