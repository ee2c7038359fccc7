"""The servers the project ships, started for real: gunicorn as `bin/serve` runs it
(`directus/gunicorn.conf.py`), and nginx with `deploy/nginx/directus.conf` in front of it.

Slow clients must not keep ordinary requests from being answered, request lines of 32 KB and more
are served, and whatever either server refuses itself is answered with the JSON error envelope.
One SQLite project in a temporary data directory; nginx's test is skipped when nginx is missing
(`.ci/run` installs it)."""

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.helpers import envelope_code
from tests.live import ROOT, closed_by_server, environment, manage

TOKEN = "front-admin-token"
KEY = "front"
STARTUP_SECONDS = 20
# A 5,000-value `in` list and a 10,000-character filter value: a request line of about 34 KB.
LONG_QUERY = "filter[id][in]=" + ",".join(str(n) for n in range(1, 5001)) + "&filter[email][nin]=" + "x" * 10_000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port, method, path, body=None, headers=None, source="127.0.0.1", timeout=10):
    """(status, headers, parsed JSON or text) of one request on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        headers = {"Authorization": f"Bearer {TOKEN}", **(headers or {})}
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        content_type = response.getheader("Content-Type", "")
        parsed = json.loads(raw) if "json" in content_type else raw.decode(errors="replace")
        return response.status, content_type, parsed
    finally:
        connection.close()


def _raw(port, data: bytes) -> tuple[int, str, dict]:
    """Send bytes as they are; (status, content type, JSON body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers.get("content-type", ""), json.loads(body)


def _length(answer: bytes) -> int:
    match = re.search(rb"(?i)content-length: (\d+)", answer)
    return int(match.group(1)) if match else 0


class Process:
    def __init__(self, name, args, env, log_dir: Path):
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_answering(self, port: int) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if _request(port, "GET", "/server/ping", timeout=2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"not answering on {port}:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()


@pytest.fixture(scope="module")
def data_dir():
    with tempfile.TemporaryDirectory(prefix="directus-front-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="module")
def gunicorn(data_dir):
    """bin/serve's gunicorn (its config file, two workers), with 2 s limits on request heads and
    on silences while a request is read."""
    env = environment(data_dir) | {
        "GUNICORN_WORKERS": "2",
        "GUNICORN_HEADER_TIMEOUT": "2",
        "GUNICORN_CLIENT_TIMEOUT": "2",
        "GUNICORN_ACCESS_LOG": "",
    }
    admin = ["--admin-email", "admin@example.com", "--admin-password", "front password", "--admin-token", TOKEN]
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "createproject", KEY, "--database-url", f"sqlite:///{data_dir}/{KEY}.sqlite3", *admin)
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = Process(
        "gunicorn",
        [str(gunicorn), "-c", "directus/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "2"],
        env,
        data_dir,
    )
    try:
        server.wait_answering(port)
        server.port = port
        yield server
    finally:
        server.stop()


def _assert_error(answer, status, code):
    """A raw answer (status, content type, parsed body) that is this Directus error."""
    got_status, content_type, body = answer
    assert content_type.startswith("application/json"), answer
    assert (got_status, envelope_code(body)) == (status, code), answer


def _assert_long_lines_served_and_refusals_in_json(port):
    status, _, body = _request(port, "GET", f"/{KEY}/users?{LONG_QUERY}")
    assert status == 200 and [user["email"] for user in body["data"]] == ["admin@example.com"], body
    _assert_error(_request(port, "GET", "/server/ping?q=" + "a" * 70_000), 414, 2)
    _assert_error(_raw(port, b"GET /server/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon\r\n\r\n"), 400, 2)
    _assert_error(
        _raw(port, b"GET /server/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: " + b"a" * 70_000 + b"\r\n\r\n"), 431, 2
    )


def _slow_clients(port, heads: int, bodies: int) -> tuple[list, list]:
    """Connections that send part of a request head, and ones that send a head and part of a body."""
    slow_heads, slow_bodies = [], []
    for _ in range(heads):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /server/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        slow_heads.append(sock)
    for _ in range(bodies):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(
            f"POST /{KEY}/folders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{".encode()
        )
        slow_bodies.append(sock)
    return slow_heads, slow_bodies


def _trickle(socks) -> None:
    for sock in socks:
        sock.setblocking(False)
        with contextlib.suppress(OSError):  # closed by the server
            sock.send(b"a")


def test_gunicorn_serves_long_request_lines_and_a_handful_of_slow_clients(gunicorn):
    """Request lines of 34 KB are served, longer ones refused in JSON. Against 2 workers of 4
    threads, 4 clients send their headers a byte at a time, 2 their body, and 1 stops sending its
    body: pings are answered throughout, the slow heads are cut off after GUNICORN_HEADER_TIMEOUT
    although they keep sending, the silent body is answered 400 after GUNICORN_CLIENT_TIMEOUT, and
    no folder is written."""
    _assert_long_lines_served_and_refusals_in_json(gunicorn.port)
    slow_heads, slow_bodies = _slow_clients(gunicorn.port, heads=4, bodies=3)
    silent = slow_bodies[-1]
    try:
        for _ in range(12):
            _trickle(slow_heads + slow_bodies[:-1])
            assert _request(gunicorn.port, "GET", "/server/ping", timeout=5)[2] == "pong"
            time.sleep(0.3)
        assert all(closed_by_server(sock) for sock in slow_heads)
        silent.setblocking(True)
        answer = silent.recv(4096)
        assert answer.startswith(b"HTTP/1.1 400 ") and b'"code":2' in answer, answer
    finally:
        for sock in slow_heads + slow_bodies:
            sock.close()
    status, _, body = _request(gunicorn.port, "GET", f"/{KEY}/folders")
    assert (status, body["data"]) == (200, []), body


@pytest.fixture(scope="module")
def nginx(gunicorn, data_dir):
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if binary is None:
        pytest.skip("nginx is not installed: the production front is not tested (apt-get install nginx)")
    port = _free_port()
    site = (ROOT / "deploy/nginx/directus.conf").read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("listen [::]:80;", "")
    site = site.replace("server 127.0.0.1:8055;", f"server 127.0.0.1:{gunicorn.port};")
    prefix = data_dir / "nginx"
    prefix.mkdir()
    (prefix / "directus.conf").write_text(site)
    # The main context docs/deployment.md asks for; paths under the temporary directory.
    temp_paths = "\n".join(f"    {kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy"))
    (prefix / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        "events { worker_connections 4096; }\n"
        f"http {{\n    access_log off;\n{temp_paths}\n    include {prefix}/directus.conf;\n}}\n"
    )
    server = Process("nginx", [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf")], os.environ, prefix)
    try:
        server.wait_answering(port)
        server.port = port
        yield server
    finally:
        server.stop()


def test_nginx_front(nginx, gunicorn):
    """Stops gunicorn at the end."""
    _answers_while_hundreds_of_clients_are_slow(nginx)
    _serves_long_request_lines_and_refuses_in_json(nginx)
    _forwards_the_client_address_for_trusted_proxies(nginx)
    _answers_in_json_when_gunicorn_is_gone(nginx, gunicorn)


def _answers_while_hundreds_of_clients_are_slow(nginx):
    """500 clients stuck in their request head and 50 in their body: nginx holds them, gunicorn
    never sees them, and ordinary requests through nginx are answered."""
    slow_heads, slow_bodies = _slow_clients(nginx.port, heads=500, bodies=50)
    try:
        for _ in range(3):
            _trickle(slow_heads + slow_bodies)
            assert _request(nginx.port, "GET", "/server/ping", timeout=5)[2] == "pong"
            status, _, body = _request(nginx.port, "GET", f"/{KEY}/users/me", timeout=5)
            assert status == 200 and body["data"]["email"] == "admin@example.com", body
        assert not any(closed_by_server(sock) for sock in slow_heads[:50] + slow_bodies)
    finally:
        for sock in slow_heads + slow_bodies:
            sock.close()


def _serves_long_request_lines_and_refuses_in_json(nginx):
    _assert_long_lines_served_and_refusals_in_json(nginx.port)
    # Bodies: over 32 MB refused from the head alone; uploads may be larger, up to the cap.
    head = "POST /{}/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n"
    _assert_error(_raw(nginx.port, head.format(KEY, "folders", 33 * 1024 * 1024).encode()), 413, 13)
    _assert_error(_raw(nginx.port, head.format(KEY, "files", 600 * 1024 * 1024).encode()), 413, 601)


def _forwards_the_client_address_for_trusted_proxies(nginx):
    """With nginx's address in `trusted_proxies`, the API records the address nginx saw, not one the
    client wrote into X-Forwarded-For itself. The client connects from 127.0.0.2."""
    status, _, body = _request(nginx.port, "GET", f"/{KEY}/settings?filter[key]=trusted_proxies")
    assert status == 200 and len(body["data"]) == 1, body
    setting = f"/{KEY}/settings/{body['data'][0]['id']}"
    assert _request(nginx.port, "PATCH", setting, {"value": "127.0.0.1"})[0] == 200
    status, _, body = _request(
        nginx.port, "POST", f"/{KEY}/folders", {"name": "via nginx"},
        headers={"X-Forwarded-For": "203.0.113.9"}, source="127.0.0.2",
    )  # fmt: skip
    assert status == 200, body
    query = f"filter[collection]=directus_folders&filter[item]={body['data']['id']}&fields=ip"
    status, _, body = _request(nginx.port, "GET", f"/{KEY}/activity?{query}")
    assert status == 200 and body["data"] == [{"ip": "127.0.0.2"}], body


def _answers_in_json_when_gunicorn_is_gone(nginx, gunicorn):
    gunicorn.stop()
    status, content_type, body = _request(nginx.port, "GET", "/server/ping")
    assert (status, body) == (502, {"error": {"code": 0, "message": "Bad Gateway"}}), (content_type, body)
