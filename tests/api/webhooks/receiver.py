"""A webhook receiver on loopback for the tests: records every request it gets.

Paths: `/ok` answers 200, `/fail` 500, `/gone` 410, `/slow` sleeps (`slow_seconds`) then answers
200, `/slow-first` does so only the first time it is asked, `/redirect?to=<url>` answers 302 to
that URL. `port` binds a chosen port (a receiver that comes back where one was down)."""

import contextlib
import json
import queue
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def json(self):
        return json.loads(self.body)


class Receiver:
    def __init__(self, slow_seconds: float = 3.0, port: int = 0):
        self.slow_seconds = slow_seconds
        self.slowed_first = False
        self.requests: queue.Queue[Received] = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                receiver.requests.put(Received(self.command, parts.path, dict(self.headers), body))
                if parts.path == "/slow" or (parts.path == "/slow-first" and not receiver.slowed_first):
                    receiver.slowed_first = receiver.slowed_first or parts.path == "/slow-first"
                    time.sleep(receiver.slow_seconds)
                if parts.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", parse_qs(parts.query)["to"][0])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = {"/fail": 500, "/gone": 410}.get(parts.path, 200)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                with contextlib.suppress(OSError):  # the sender gave up waiting (a timeout under test)
                    self.wfile.write(b"ok")

            do_GET = do_POST = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def next(self, timeout: float = 5.0) -> Received:
        return self.requests.get(timeout=timeout)

    def nothing_within(self, seconds: float) -> bool:
        try:
            self.requests.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def all(self) -> list[Received]:
        items = []
        while True:
            try:
                items.append(self.requests.get_nowait())
            except queue.Empty:
                return items
