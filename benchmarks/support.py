"""Small helpers shared by the benchmark scripts: ports, HTTP, PostgreSQL, processes."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from contextlib import closing


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, token: str, body=None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
        return {"status": response.status, "body": json.loads(raw) if raw else None, "headers": dict(response.headers)}


def wait_for(url: str, seconds: float = 60, process=None) -> None:
    """Until `url` answers; gives up early when `process` has exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before {url} answered")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def serving(process, url: str, seconds: float = 60):
    """`process` once it answers on `url`; a target that does not start is ended, not left behind."""
    try:
        wait_for(url, seconds, process)
    except BaseException:
        stop(process)
        raise
    return process


def sql(database_url: str, statements: list[str]) -> list:
    """Runs each statement in autocommit; returns the rows of the last one (if any)."""
    import psycopg

    rows = []
    with psycopg.connect(database_url, autocommit=True) as connection:
        for statement in statements:
            cursor = connection.execute(statement)
            rows = cursor.fetchall() if cursor.description else []
    return rows


def stop(process) -> None:
    """Ends the process group a target was started in (`start_new_session=True`)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass
