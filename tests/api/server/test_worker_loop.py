"""The gunicorn worker's own loop (`directus/gunicorn_worker.py`, `TakingTurns`), on a real gunicorn
with one worker of two threads: its threads take turns on one epoll set, so every kept-alive
connection must be served even when they outnumber the threads, bytes read ahead of the next
request must be answered, idle connections must be closed, and a stop must answer the request
under way before the worker leaves."""

import email.utils
import os
import re
import signal
import socket
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.live import STARTUP_SECONDS, TOKEN, Server, closed_by_server, environment, manage, wait_for

# Short limits, so that the tests about them take seconds.
LIMITS = {"GUNICORN_KEEPALIVE": "1", "GUNICORN_HEADER_TIMEOUT": "2", "GUNICORN_CLIENT_TIMEOUT": "2"}
PING = b"GET /server/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture(scope="module")
def env():
    with tempfile.TemporaryDirectory(prefix="directus-loop-") as tmp:
        env = environment(Path(tmp)) | LIMITS | {"GUNICORN_ACCESS_LOG": ""}
        manage(env, "migrate", "--verbosity", "0")
        admin = ("--admin-email", "admin@example.com", "--admin-password", "loop password", "--admin-token", TOKEN)
        manage(env, "createproject", "_", *admin)
        yield env


def _start(env, name: str) -> Server:
    server = Server(name, env, Path(env["DIRECTUS_DATA_DIR"]), options=("--threads", "2"))
    server.wait_ready(time.monotonic() + STARTUP_SECONDS)
    server.address = tuple(re.match(r"http://(.+):(\d+)", server.base).groups())
    server.address = (server.address[0], int(server.address[1]))
    return server


@pytest.fixture(scope="module")
def server(env):
    server = _start(env, "loop")
    yield server
    server.stop()


def _connect(server) -> socket.socket:
    return socket.create_connection(server.address, timeout=10)


def _answer(sock: socket.socket, pending: bytearray) -> tuple[bytes, bytes]:
    """(head, body) of the next answer on `sock`; bytes past it stay in `pending`."""
    while b"\r\n\r\n" not in pending:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection before answering"
        pending += chunk
    head, _, rest = bytes(pending).partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)\r\ncontent-length: (\d+)", head).group(1))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection in the middle of an answer"
        rest += chunk
    pending[:] = rest[length:]
    return head, rest[:length]


def test_kept_alive_connections_outnumbering_the_threads_are_all_served(server):
    """Twelve connections against two threads, each asking in turn, ten rounds: every request is
    answered on its own connection, none is closed."""
    connections = [(_connect(server), bytearray()) for _ in range(12)]
    try:
        for _ in range(10):
            for sock, _pending in connections:
                sock.sendall(PING)
            for sock, pending in connections:
                head, body = _answer(sock, pending)
                assert head.startswith(b"HTTP/1.1 200 ") and body == b"pong", (head, body)
                assert b"connection: close" not in head.lower(), head
    finally:
        for sock, _pending in connections:
            sock.close()


def test_requests_sent_together_are_answered_in_order(server):
    """A client that sends three requests at once (pipelining) gets three answers: the second and
    third were read with the first, so the socket never tells the loop they are there."""
    with _connect(server) as sock:
        unknown = b"GET /server/nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        sock.sendall(PING + unknown + PING)
        pending = bytearray()
        answers = [_answer(sock, pending) for _ in range(3)]
    assert [head.split(b" ", 2)[1] for head, _ in answers] == [b"200", b"404", b"200"], answers
    assert answers[0][1] == answers[2][1] == b"pong"


def test_idle_and_silent_connections_are_closed(server):
    """A kept-alive connection is closed after GUNICORN_KEEPALIVE (1 s) without a request, one that
    never sends a byte after GUNICORN_HEADER_TIMEOUT (2 s); the server answers meanwhile."""
    idle, silent = _connect(server), _connect(server)
    try:
        idle.sendall(PING)
        assert _answer(idle, bytearray())[1] == b"pong"
        wait_for(lambda: closed_by_server(idle), "closing the idle connection", seconds=15)
        wait_for(lambda: closed_by_server(silent), "closing the silent connection", seconds=15)
        with _connect(server) as fresh:
            fresh.sendall(PING)
            assert _answer(fresh, bytearray())[1] == b"pong"
    finally:
        idle.close()
        silent.close()


def test_a_stop_answers_the_request_under_way_and_closes_idle_connections(env):
    """SIGTERM while a request's body is still coming: the request is answered, then its connection
    and a kept-alive one are closed, and the server exits."""
    server = _start(env, "stopping")
    try:
        idle = _connect(server)
        idle.sendall(PING)
        assert _answer(idle, bytearray())[1] == b"pong"
        body = b'{"email": "admin@example.com", "password": "wrong password"}'
        under_way = _connect(server)
        under_way.sendall(
            b"POST /_/auth/authenticate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body[:10]
        )
        time.sleep(0.3)  # the request is being read by a thread
        os.killpg(server.process.pid, signal.SIGTERM)
        time.sleep(0.3)
        under_way.sendall(body[10:])
        head, answer = _answer(under_way, bytearray())
        assert head.startswith(b"HTTP/1.1 404 ") and b'"code":100' in answer, (head, answer)
        wait_for(lambda: closed_by_server(idle), "closing the kept-alive connection", seconds=15)
        wait_for(lambda: closed_by_server(under_way), "closing the answered connection", seconds=15)
        server.process.wait(timeout=15)
        under_way.close()
        idle.close()
    finally:
        server.stop()


def test_answers_carry_the_current_date(server):
    """The Date header (formatted once a second) moves with the clock."""
    dates = []
    with _connect(server) as sock:
        for _ in range(2):
            sock.sendall(PING)
            head, _ = _answer(sock, bytearray())
            value = re.search(rb"(?i)\r\ndate: ([^\r]+)", head).group(1).decode()
            dates.append(email.utils.parsedate_to_datetime(value))
            time.sleep(1.2)
    assert abs((dates[0] - datetime.now(UTC)).total_seconds()) < 30, dates
    assert (dates[1] - dates[0]).total_seconds() >= 1, dates
