"""The gunicorn worker of `directus/gunicorn.conf.py`: gunicorn's threaded worker, made to hold up
without a proxy in front and to answer in the API's error format.

- A request head (request line and headers) must arrive within `GUNICORN_HEADER_TIMEOUT` seconds,
  and a client that sends nothing for `GUNICORN_CLIENT_TIMEOUT` seconds while its request is read
  is treated as gone: a slow client holds a thread for a bounded time.
- A worker whose threads are all busy stops accepting connections, so that the kernel hands new
  ones to a worker that can answer them instead of queueing them behind slow clients.
- Request lines up to `limit_request_line` bytes are read (gunicorn caps the setting at 8190).
- What gunicorn refuses before the application sees the request (malformed, request line or
  headers too long) is answered with the JSON error envelope, not gunicorn's HTML page.

Imported by the gunicorn master before Django is set up: only gunicorn and the standard library.
"""

import errno
import json
import os
import time
from http import HTTPStatus

from gunicorn import util
from gunicorn.http.errors import NoMoreData
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser
from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers import gthread

HEADER_TIMEOUT = float(os.environ.get("GUNICORN_HEADER_TIMEOUT", 10))
CLIENT_TIMEOUT = float(os.environ.get("GUNICORN_CLIENT_TIMEOUT", 10))
# The largest body the API reads (the upload cap plus a form's other fields, as nginx allows), and
# how long a worker keeps reading what an answer left unread before it closes the connection.
DRAIN_MAX_BYTES = (512 + 32) * 1024 * 1024
DRAIN_SECONDS = 30

# Directus error codes for the statuses gunicorn answers itself (apps/core/errors.py).
_ERROR_CODES = {403: 10, 500: 0, 501: 0}


def write_json_error(sock, status_int, reason, mesg):
    """gunicorn's `util.write_error`, with the API's error body. `mesg` may quote the request;
    gunicorn has logged it already, the client gets the status phrase only."""
    try:
        phrase = HTTPStatus(status_int).phrase
    except ValueError:
        phrase = reason
    error = {"code": _ERROR_CODES.get(status_int, 2), "message": phrase}
    body = json.dumps({"error": error}, separators=(",", ":")).encode()
    head = (
        f"HTTP/1.1 {status_int} {phrase}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


# gunicorn has no setting for its error pages; every worker writes them through this function.
util.write_error = write_json_error


class DeadlineUnreader(SocketUnreader):
    """Reads from the client with a time limit on each read, and on the whole request head while
    `deadline` is set. A client past either limit is treated as one that went away."""

    deadline: float | None = None
    gave_up = False

    def chunk(self, size_hint=None):
        if self.sock.gettimeout() is not None:
            # Someone bounds this read already (gunicorn draining an unread body).
            return super().chunk(size_hint)
        timeout = CLIENT_TIMEOUT
        if self.deadline is not None:
            timeout = min(timeout, self.deadline - time.monotonic())
        try:
            if timeout <= 0:
                raise TimeoutError
            self.sock.settimeout(timeout)
            return super().chunk(size_hint)
        except TimeoutError:
            self.gave_up = True
            raise NoMoreData(b"") from None
        finally:
            # Only reads are bounded: writing a large answer to a slow reader is not a fault.
            self.sock.settimeout(None)


class LongLineRequest(Request):
    def parse(self, unreader):
        # gunicorn lowers limit_request_line to 8190 whatever the configuration says.
        self.limit_request_line = self._fast_limit_request_line = self.cfg.limit_request_line
        unreader.deadline = time.monotonic() + HEADER_TIMEOUT
        try:
            return super().parse(unreader)
        finally:
            unreader.deadline = None


class DeadlineParser(RequestParser):
    mesg_class = LongLineRequest

    def __init__(self, cfg, source, source_addr):
        super().__init__(cfg, source, source_addr)
        self.unreader = DeadlineUnreader(source)


class Connection(gthread.TConn):
    closed = False

    def init(self):
        fresh = self.parser is None
        super().init()
        if fresh and type(self.parser) is RequestParser:
            self.parser = DeadlineParser(self.cfg, self.sock, self.client)

    def close(self, graceful=False):
        if self.closed:
            return
        self.closed = True
        # A client we gave up on gets no lingering close: it would keep feeding it.
        super().close(graceful and not getattr(getattr(self.parser, "unreader", None), "gave_up", False))


class ThreadWorker(gthread.ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.busy = 0  # connections handed to the thread pool; touched by the main thread only

    def accept(self, listener):
        try:
            client_sock, client_addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        client_sock.setblocking(True)
        self.enqueue_req(Connection(self.cfg, client_sock, client_addr, listener.getsockname()))

    def enqueue_req(self, conn):
        self.busy += 1
        if self.busy >= self.cfg.threads:
            self.set_accept_enabled(False)
        super().enqueue_req(conn)

    def handle(self, conn):
        keepalive = super().handle(conn)
        if keepalive is False:
            # gunicorn closes in its main loop, lingering up to 2 s for the client's last bytes:
            # a few clients that never close would stall every connection of the worker.
            conn.close(graceful=True)
        return keepalive

    def _keepalive_after(self, conn, keepalive):
        """Read what the application left of the request body (an answer given before it, such as
        `413`), bounded in bytes and time. Closing with body bytes unread makes the kernel reset the
        connection: the client, or nginx still passing the body on, would lose the answer."""
        body = getattr(conn.parser.mesg, "body", None)
        if body is None or getattr(body, "failed", False) is True:
            return False
        deadline = time.monotonic() + DRAIN_SECONDS
        left = DRAIN_MAX_BYTES
        while left > 0 and time.monotonic() < deadline:
            data = body.read(min(left, 1024 * 1024))
            if not data:
                return keepalive
            left -= len(data)
        return False

    def finish_request(self, conn, fs):
        self.busy -= 1
        super().finish_request(conn, fs)

    def set_accept_enabled(self, enabled):
        # The main loop turns accepting back on whenever it may; it stays off while no thread is free.
        super().set_accept_enabled(enabled and self.busy < self.cfg.threads)
