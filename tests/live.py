"""Real servers for the tests that need them: gunicorn processes with the project's own
configuration, a data directory of their own, and `manage.py` run as an operator runs it.

    env = environment(data_dir)
    manage(env, "migrate", "--verbosity", "0")
    server = Server("a", env, data_dir); server.wait_ready(time.monotonic() + STARTUP_SECONDS)
    status, body = server.call("GET", "/_/users/me")
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.engines import database_url

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "workers-admin-token"
# How long a server may take to answer its first ping (a bound on waiting, not on speed: a
# loaded machine may need most of it).
STARTUP_SECONDS = 60
# Settings the servers must not inherit from the test run's environment.
DROPPED_ENV = ("DJANGO_SETTINGS_MODULE", "DIRECTUS_CONTROL_DATABASE_URL", "DIRECTUS_REDIS_URL", "DIRECTUS_BIND")

# Requests to 127.0.0.1 never go through a proxy, whatever the environment says.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def environment(data_dir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="directus.settings.dev",
        DIRECTUS_DATA_DIR=str(data_dir),
        DJANGO_SECRET_KEY="workers-test-secret",
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_for(check, what: str, seconds: float = 30) -> None:
    """Poll `check()` until it is true; fail naming `what` after `seconds` (a bound on a hang,
    not a measurement)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {seconds}s")


def closed_by_server(sock) -> bool:
    """Whether the server closed this client socket (without waiting for it to)."""
    sock.setblocking(False)
    try:
        return sock.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def manage(env: dict, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


class Server:
    """One gunicorn master with one worker, bound to a free port the kernel picks; `options` are
    more gunicorn options (`--threads 2`)."""

    def __init__(self, name: str, env: dict, log_dir: Path, options: tuple[str, ...] = ()):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "--config",
                "directus/gunicorn.conf.py",
                "--workers",
                "1",
                "--threads",
                "1",
                "--bind",
                "127.0.0.1:0",
                "--graceful-timeout",
                "2",
                *options,
                "directus.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends the master and its worker
        )
        self.base = None

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
            if self.base is None:
                match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log())
                if match:
                    self.base = match.group(1)
            if self.base is not None:
                try:
                    with _opener.open(f"{self.base}/server/ping", timeout=2) as response:
                        if response.status == 200:
                            return
                except (OSError, urllib.error.URLError):
                    pass
            time.sleep(0.05)
        raise AssertionError(f"{self.name} did not answer within {STARTUP_SECONDS}s:\n{self.log()}")

    def call(self, method: str, path: str, body=None, *, token: str | None = TOKEN) -> tuple[int, dict | None]:
        status, _, body = self.exchange(method, path, body, token=token)
        return status, body

    def exchange(self, method: str, path: str, body=None, *, token: str | None = TOKEN):
        """(status, headers, decoded body) of one request, as `token`'s bearer (None: public)."""
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers=headers,
        )
        try:
            with _opener.open(request, timeout=30) as response:
                status, headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, raw = error.code, error.headers, error.read()
        return status, headers, json.loads(raw) if raw else None

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        self._log.close()


@dataclass
class ServedProject:
    key: str
    url: str  # the project's database
    env: dict  # the servers' environment, for manage()
    a: Server
    b: Server


@contextmanager
def two_servers(engine: str, name: str, **env: str) -> Iterator[ServedProject]:
    """A project on `engine`, made as an operator makes one (`migrate`, `createproject`) in a
    data directory of its own, served by two gunicorn servers with `env` added to their
    environment; both stopped and the project dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    key = f"{name}-{suffix}"
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix=f"directus-{name}-") as tmp:
        data_dir = Path(tmp)
        environ = {**environment(data_dir), **env}
        url = database_url(engine, f"dxt_{engine}_{name}_{suffix}", data_dir)
        created = False
        try:
            manage(environ, "migrate", "--verbosity", "0")
            manage(
                environ,
                "createproject",
                key,
                "--database-url",
                url,
                "--admin-email",
                "admin@example.com",
                "--admin-password",
                f"{name} admin password",
                "--admin-token",
                TOKEN,
            )
            created = True
            servers = [Server("server-a", environ, data_dir), Server("server-b", environ, data_dir)]
            deadline = time.monotonic() + STARTUP_SECONDS
            for server in servers:
                server.wait_ready(deadline)
            yield ServedProject(key, url, environ, *servers)
        finally:
            for server in servers:
                server.stop()
            if created and engine != "sqlite":
                manage(environ, "deleteproject", key, "--drop-database")
