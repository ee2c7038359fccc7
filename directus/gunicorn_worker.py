"""The gunicorn worker of `directus/gunicorn.conf.py`: gunicorn's threaded worker, made to hold up
without a proxy in front and to answer in the API's error format.

- A request head (request line and headers) must arrive within `GUNICORN_HEADER_TIMEOUT` seconds,
  and a client that sends nothing for `GUNICORN_CLIENT_TIMEOUT` seconds while its request is read
  is treated as gone: a slow client holds a thread for a bounded time.
- A worker whose threads are all busy stops accepting connections, so that the kernel hands new
  ones to a worker that can answer them instead of queueing them behind slow clients.
- On Linux the threads take turns waiting on one epoll set (leader/follower): the thread told that a
  connection is readable serves the request itself and puts the connection back in the set. A
  request then costs no hand-off between threads (gunicorn's main loop hands each request of a
  kept-alive connection to its pool and takes it back: a future, a wake-up pipe, a selector
  un- and re-registered, two thread switches, about a sixth of a read by id's CPU,
  docs/performance.md). Elsewhere gunicorn's own loop runs.
- Request lines up to `limit_request_line` bytes are read (gunicorn caps the setting at 8190).
- What gunicorn refuses before the application sees the request (malformed, request line or
  headers too long) is answered with the JSON error envelope, not gunicorn's HTML page.

Imported by the gunicorn master before Django is set up: only gunicorn and the standard library.
"""

import errno
import json
import os
import select
import threading
import time
from http import HTTPStatus

from gunicorn import util
from gunicorn.http import wsgi
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

_format_http_date = util.http_date
_date_of_this_second = (0, "")


def http_date(timestamp=None):
    """gunicorn's `util.http_date`, formatted once a second for the `Date` of every answer (it
    formats the time anew for each)."""
    global _date_of_this_second
    if timestamp is not None:
        return _format_http_date(timestamp)
    second = int(time.time())
    cached = _date_of_this_second
    if cached[0] != second:
        cached = _date_of_this_second = (second, _format_http_date(second))
    return cached[1]


util.http_date = http_date


class OneWriteResponse(wsgi.Response):
    """gunicorn's response, sending the head with the body when the body comes in one piece of
    known length (every API answer): one write and one TCP segment where gunicorn makes two, each
    a system call and a wake-up of the reader."""

    def write(self, arg):
        if (
            self.headers_sent
            or self.chunked
            or self._omits_body
            or arg.__class__ is not bytes
            or not arg
            or self.response_length is None
            or len(arg) > self.response_length
        ):
            return super().write(arg)
        head = self.default_headers()
        head.extend([f"{name}: {value}\r\n" for name, value in self.headers])
        head.append("\r\n")
        self.headers_sent = True
        self.sent += len(arg)
        util.write(self.sock, "".join(head).encode("latin-1") + arg)


# gunicorn's thread worker makes its HTTP/1 responses with this class (HTTP/2 passes its own).
wsgi.Response = OneWriteResponse

# Whether a peer address is in `forwarded_allow_ips`: gunicorn parses the address and the list into
# ip_address objects for every request; the answer is the same for every request of a worker.
_trusted_peers: dict[str, bool] = {}


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
    def _peer_is_trusted_proxy(self):
        if not isinstance(self.peer_addr, tuple):
            return super()._peer_is_trusted_proxy()
        address = self.peer_addr[0]
        trusted = _trusted_peers.get(address)
        if trusted is None:
            trusted = super()._peer_is_trusted_proxy()
            if len(_trusted_peers) < 4096:
                _trusted_peers[address] = trusted
        return trusted

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
    busy = False  # a thread of TakingTurns is serving it

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


# A connection (or listener) in the epoll set wakes one waiting thread once, then waits to be re-armed
# by the thread that served it.
_ONE_SHOT = getattr(select, "EPOLLIN", 0) | getattr(select, "EPOLLONESHOT", 0)


class ThreadWorker(gthread.ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.busy = 0  # connections handed to the thread pool; touched by the main thread only

    def init_process(self):
        # gunicorn looks each setting up through `Config.__getattr__` (a dictionary and a method
        # call) about twenty times a request. The worker's configuration no longer changes once it
        # runs (a reload starts new workers): its values become plain attributes of its copy.
        for name, setting in self.cfg.settings.items():
            if not isinstance(getattr(type(self.cfg), name, None), property):
                self.cfg.__dict__[name] = setting.get()
        super().init_process()

    def run(self):
        if not hasattr(select, "epoll"):
            return super().run()
        TakingTurns(self).run()

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


class TakingTurns:
    """The leader/follower loop of a `ThreadWorker`: `cfg.threads` threads wait on one epoll set
    of the listening sockets and the worker's connections, each registered one-shot. A thread woken
    for a listener accepts one connection; for a connection, it marks it busy and serves one request
    (gunicorn's `handle`: the same parsing, time limits and answers as in gunicorn's loop), then
    re-arms it or closes it. Only threads that wait take connections, so a worker whose threads are
    all busy leaves new ones to the other workers.

    The main thread keeps gunicorn's heartbeat, closes connections idle for longer than their
    keep-alive (or, for new ones, `HEADER_TIMEOUT` without a byte) and runs the graceful stop.
    """

    def __init__(self, worker: ThreadWorker):
        self.worker = worker
        self.cfg = worker.cfg
        self.epoll = select.epoll()
        self.listeners = {listener.fileno(): listener for listener in worker.sockets}
        self.connections = {}  # fd -> Connection, every connection the worker holds
        self.lock = threading.Lock()  # guards `connections` and each connection's `busy`
        self.accepting = True
        self.serving = True

    def run(self):
        worker = self.worker
        for fd, listener in self.listeners.items():
            listener.setblocking(False)
            self.epoll.register(fd, _ONE_SHOT)
        threads = [
            threading.Thread(target=self.take_turns, name=f"gunicorn-{n}", daemon=True) for n in range(self.cfg.threads)
        ]
        for thread in threads:
            thread.start()
        try:
            while worker.alive:
                worker.notify()
                self.wait(1.0)
                if not worker.is_parent_alive():
                    break
                self.close_idle(time.monotonic())
            self.stop()
        finally:
            self.serving = False
            for thread in threads:
                thread.join(1.0)
            self.epoll.close()
            for listener in worker.sockets:
                listener.close()

    def wait(self, seconds):
        """Sleep, woken early by a signal (gunicorn's wake-up pipe)."""
        wake = self.worker.PIPE[0]
        try:
            if select.select([wake], [], [], seconds)[0]:
                os.read(wake, 64)
        except InterruptedError:
            pass

    def stop(self):
        """Stop accepting; requests under way are answered and their connections then closed,
        kept-alive connections get `gthread.STOP_KEEPALIVE_LINGER` seconds for a request already on
        its way (answered with `Connection: close`), within the graceful timeout."""
        worker = self.worker
        with self.lock:
            self.accepting = False
            for fd in self.listeners:
                self.epoll.unregister(fd)  # a thread accepting on it now sees `accepting` and leaves it
        now = time.monotonic()
        linger, deadline = now + gthread.STOP_KEEPALIVE_LINGER, now + self.cfg.graceful_timeout
        with self.lock:
            for connection in self.connections.values():
                connection.timeout = min(connection.timeout, linger)
        while self.connections and time.monotonic() < deadline:
            worker.notify()
            self.wait(0.1)
            self.close_idle(time.monotonic())

    def close_idle(self, now):
        with self.lock:
            expired = [
                (fd, connection)
                for fd, connection in self.connections.items()
                if not connection.busy and connection.timeout < now
            ]
            for fd, connection in expired:
                del self.connections[fd]
                # Out of the set before the descriptor can be reused. A thread already woken for it
                # finds it gone (or finds a new connection on the same number, and serves that).
                self.epoll.unregister(fd)
                connection.close()
            self.resume_accepting()

    def take_turns(self):
        worker = self.worker
        while self.serving:
            try:
                events = self.epoll.poll(0.5, 1)
            except InterruptedError:
                continue
            for fd, _ in events:
                try:
                    listener = self.listeners.get(fd)
                    if listener is not None:
                        self.accept(fd, listener)
                    else:
                        self.serve(fd)
                except Exception:
                    worker.log.exception("Error in the worker loop")

    def accept(self, fd, listener):
        try:
            sock, address = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            sock = None
        with self.lock:
            if sock is not None:
                sock.setblocking(True)
                connection = Connection(self.cfg, sock, address, listener.getsockname())
                connection.data_ready = True  # only served once epoll says it is readable
                connection.timeout = time.monotonic() + HEADER_TIMEOUT
                self.connections[sock.fileno()] = connection
                self.epoll.register(sock.fileno(), _ONE_SHOT)
            if not self.accepting:
                return
            if len(self.connections) >= self.worker.worker_connections:
                self.accepting = None  # paused until a connection closes
                return
            self.epoll.modify(fd, _ONE_SHOT)

    def resume_accepting(self):
        if self.accepting is None and len(self.connections) < self.worker.worker_connections:
            self.accepting = True
            for fd in self.listeners:
                self.epoll.modify(fd, _ONE_SHOT)

    def serve(self, fd):
        with self.lock:
            connection = self.connections.get(fd)
            if connection is None or connection.busy:
                return
            connection.busy = True
        keepalive = True
        while keepalive is True:
            # gunicorn's handling of one request (it answers what fails with 500 and returns
            # False), without ThreadWorker.handle's close: the connection leaves the set first.
            try:
                keepalive = gthread.ThreadWorker.handle(self.worker, connection)
            except Exception:
                self.worker.log.exception("Error handling request")
                keepalive = False
            # A body drain can read into the next request: those bytes no longer make the socket
            # readable, so they are served now.
            if keepalive is not True or not connection.parser.unreader.buf.getvalue():
                break
        with self.lock:
            if keepalive is True:
                connection.busy = False
                connection.set_timeout()
                if not self.worker.alive:
                    connection.timeout = min(connection.timeout, time.monotonic() + gthread.STOP_KEEPALIVE_LINGER)
                self.epoll.modify(fd, _ONE_SHOT)
                return
            if self.connections.get(fd) is connection:
                del self.connections[fd]
                self.resume_accepting()
        connection.close(graceful=True)
