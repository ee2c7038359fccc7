"""Measure how much a large upload grows the memory of the worker that receives it.

    .venv/bin/python tests/api/files/measure_upload_rss.py [size in MB, default 200]

Starts gunicorn (one sync worker) on a throw-away data directory with a SQLite project, uploads
a multipart file of the given size — generated on the fly and sent in chunks, so the client holds
none of it either — and prints the worker's resident memory before and its peak (VmHWM) after.
Uploads are streamed to a temporary file and then to storage, so the peak should grow by a few
megabytes, not by the size of the file. Not collected by pytest (no test_ prefix): it takes a
few seconds and a few hundred MB of disk."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TOKEN = "rss-admin-token"
ADMIN_TOKEN = ("--admin-token", TOKEN, "--verbosity", "0")
CHUNK = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            values[key] = int(rest.split()[0]) // 1024  # MB
    return values


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def upload(port: int, size: int, name: str) -> dict:
    boundary = "rss-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.putrequest("POST", "/rss/files")
    connection.putheader("Authorization", f"Bearer {TOKEN}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.endheaders()
    connection.send(head)
    block = os.urandom(CHUNK)
    sent = 0
    while sent < size:
        part = block[: min(CHUNK, size - sent)]
        connection.send(part)
        sent += len(part)
    connection.send(tail)
    response = connection.getresponse()
    body = json.loads(response.read() or b"{}")
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"upload answered {response.status}: {body}")
    return body["data"]


def main() -> None:
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    data_dir = Path(tempfile.mkdtemp(prefix="directus-rss-"))
    (data_dir / "static").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "directus.settings.dev",
        "DIRECTUS_DATA_DIR": str(data_dir),
        "DIRECTUS_MAX_UPLOAD_SIZE": str((size_mb + 10) * 1024 * 1024),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_TIMEOUT": "600",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    port = free_port()
    env["DIRECTUS_BIND"] = f"127.0.0.1:{port}"
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [
            *manage,
            "createproject",
            "rss",
            "--admin-email",
            "rss@example.com",
            "--admin-password",
            "rss-pass-1",
            *ADMIN_TOKEN,
        ],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "directus/gunicorn.conf.py"], env=env, cwd=ROOT
    )
    try:
        worker = worker_pid(server.pid)
        for _ in range(100):
            try:
                upload(port, 1024, "warm-up.bin")
                break
            except (ConnectionError, OSError):
                time.sleep(0.2)
        before = memory(worker)
        started = time.monotonic()
        file = upload(port, size_mb * 1024 * 1024, "large.bin")
        elapsed = time.monotonic() - started
        after = memory(worker)
        stored = data_dir / "uploads" / "rss" / "originals" / file["filename_disk"]
        print(
            f"uploaded {file['filesize'] // (1024 * 1024)} MB in {elapsed:.1f} s, stored {stored.stat().st_size} bytes"
        )
        print(f"worker RSS before: {before['VmRSS']} MB (peak so far {before['VmHWM']} MB)")
        print(f"worker RSS after:  {after['VmRSS']} MB, peak during the upload {after['VmHWM']} MB")
        print(f"peak growth: {after['VmHWM'] - before['VmHWM']} MB for a {size_mb} MB upload")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
