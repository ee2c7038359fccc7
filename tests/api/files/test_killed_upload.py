"""A worker killed in the middle of an upload: a real gunicorn, a multipart body that stops half
way, and SIGKILL. The spooled part lives in the server's own folder and the worker that replaces
the killed one removes it; nothing was stored and the server answers again."""

import os
import signal
import socket
import tempfile
import time
import uuid
from pathlib import Path

from tests.engines import database_url
from tests.live import STARTUP_SECONDS, TOKEN, Server, environment, manage

BOUNDARY = "killed-upload-boundary"


def _spooled(spool: Path) -> list[Path]:
    return sorted(spool.glob("*.upload")) if spool.exists() else []


def _wait_for(check, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {seconds}s")


def test_an_upload_cut_by_a_killed_worker_leaves_nothing_behind():
    key = f"killed-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="directus-killed-") as tmp:
        data_dir = Path(tmp)
        env = environment(data_dir)
        manage(env, "migrate", "--verbosity", "0")
        url = database_url("sqlite", f"dxt_killed_{key[-8:]}", data_dir)
        manage(env, "createproject", key, "--database-url", url, "--admin-email", "admin@example.com",
                "--admin-password", "killed upload password", "--admin-token", TOKEN)  # fmt: skip
        server = Server("killed-upload", env, data_dir)
        upload = socket.socket()
        try:
            server.wait_ready(time.monotonic() + STARTUP_SECONDS)
            host, port = server.base.removeprefix("http://").split(":")
            head = (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="data"; filename="big.bin"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            total = 20 * 1024 * 1024
            upload.connect((host, int(port)))
            upload.sendall(
                (
                    f"POST /{key}/files HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {TOKEN}\r\n"
                    f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                    f"Content-Length: {len(head) + total + 64}\r\n\r\n"
                ).encode()
                + head
            )
            # Half of the file, then the client waits: the worker is spooling the part.
            chunk = b"x" * (1024 * 1024)
            for _ in range(10):
                upload.sendall(chunk)
            spool = data_dir / "tmp" / "uploads"
            (spooled,) = _wait_for(lambda: _spooled(spool), "a spooled upload")
            pid = int(spooled.name.split("-", 1)[0])
            os.kill(pid, signal.SIGKILL)

            # The master starts a new worker, which sweeps what the killed one left.
            _wait_for(lambda: not _spooled(spool), "the sweep of the killed worker's upload")
            status, body = server.call("GET", f"/{key}/files")
            assert status == 200 and body["data"] == [], body
            originals = data_dir / "uploads" / key / "originals"
            assert not originals.exists() or not any(originals.iterdir())
            assert "Removed 1 upload(s) left by stopped workers" in server.log()
        finally:
            upload.close()
            server.stop()
