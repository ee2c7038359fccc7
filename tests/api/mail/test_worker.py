"""The real pieces: gunicorn answers a password request and an invitation while the SMTP server
is down (a loopback port nothing listens on); a delivery pass then leaves both mails queued;
once an SMTP server listens on that port, the long-running worker (`manage.py deliver`)
delivers them, and SIGTERM ends it. Two workers started together (two hosts) send each mail once."""

import asyncio
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.engines import database_url
from tests.live import ROOT, STARTUP_SECONDS, TOKEN, Server, environment, manage, wait_for

from .conftest import Recorder, free_port

ADMIN = "admin@example.com"


def smtp_environment(data_dir: Path, smtp_port: int) -> dict:
    """The servers' environment, with Django's SMTP backend pointed at a loopback port."""
    env = environment(data_dir)
    env.update(
        DIRECTUS_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DIRECTUS_EMAIL_HOST="127.0.0.1",
        DIRECTUS_EMAIL_PORT=str(smtp_port),
    )
    return env


def test_mail_queued_while_the_server_is_down_is_delivered_by_the_worker():
    key = f"mailq-{uuid.uuid4().hex[:8]}"
    smtp_port = free_port()
    with tempfile.TemporaryDirectory(prefix="directus-mailq-") as tmp:
        data_dir = Path(tmp)
        env = smtp_environment(data_dir, smtp_port)
        env.update(DIRECTUS_MAIL_RETRY_SECONDS="0", DIRECTUS_DELIVERY_INTERVAL="0.2")
        manage(env, "migrate", "--verbosity", "0")
        url = database_url("sqlite", f"dxt_mailq_{key[-8:]}", data_dir)
        manage(env, "createproject", key, "--database-url", url, "--admin-email", ADMIN,
                "--admin-password", "mail queue password", "--admin-token", TOKEN,
                "--app-url", "https://app.example.com/")  # fmt: skip
        server = Server("mailq", env, data_dir)
        controller = None
        worker = None
        try:
            server.wait_ready(time.monotonic() + STARTUP_SECONDS)
            known = server.call("POST", f"/{key}/auth/password/request", {"email": ADMIN})
            unknown = server.call("POST", f"/{key}/auth/password/request", {"email": "nobody@example.com"})
            assert known == unknown == (204, None)
            status, body = server.call("POST", f"/{key}/users/invite", {"email": "new@example.com"})
            assert status == 200 and body["data"][0]["status"] == "invited", body

            manage(env, "deliver", "--once")  # the server is still down: nothing is lost

            recorder = Recorder()
            controller = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
            controller.start()
            log = open(data_dir / "deliver.log", "w")  # noqa: SIM115 - closed below
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "deliver"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            wait_for(lambda: len(recorder.messages) >= 2, "the delivery of both mails")
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=10) == 0
            log.close()
            received = sorted(message["to"][0] for message in recorder.messages)
            assert received == [ADMIN, "new@example.com"]
            assert "2 mail(s) sent" in (data_dir / "deliver.log").read_text()
        finally:
            if worker is not None and worker.poll() is None:
                worker.kill()
                worker.wait()
            if controller is not None:
                controller.stop()
            server.stop()


class SlowRecorder(Recorder):
    """An SMTP server that takes a while over each message: two workers' passes overlap."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.1)
        return await super().handle_DATA(server, session, envelope)


def test_two_workers_at_once_send_each_mail_once():
    key = f"mail2w-{uuid.uuid4().hex[:8]}"
    smtp_port = free_port()
    recorder = SlowRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
    with tempfile.TemporaryDirectory(prefix="directus-mail2w-") as tmp:
        data_dir = Path(tmp)
        env = smtp_environment(data_dir, smtp_port)
        manage(env, "migrate", "--verbosity", "0")
        url = database_url("sqlite", f"dxt_mail2w_{key[-8:]}", data_dir)
        manage(env, "createproject", key, "--database-url", url, "--admin-email", ADMIN,
                "--admin-password", "two workers password", "--admin-token", TOKEN)  # fmt: skip
        server = Server("mail2w", env, data_dir)
        controller.start()
        try:
            server.wait_ready(time.monotonic() + STARTUP_SECONDS)
            recipients = [f"reader{n}@example.com" for n in range(30)]
            for recipient in recipients:
                status, body = server.call(
                    "POST", f"/{key}/mail", {"to": [recipient], "subject": "news", "body": "hello", "type": "plain"}
                )
                assert status == 204, body
            workers = [
                subprocess.Popen([sys.executable, "manage.py", "deliver", "--once"], cwd=ROOT, env=env)
                for _ in range(2)
            ]
            assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
            # The lease's holder sent a batch; the other worker's pass left the project alone.
            manage(env, "deliver", "--once")  # whatever is left (a pass that started after the first)
            received = sorted(message["to"][0] for message in recorder.messages)
            assert received == sorted(recipients)  # each once
        finally:
            controller.stop()
            server.stop()
