"""Counts the SQL statements clients send to PostgreSQL, from the wire.

pg_stat_statements would need `shared_preload_libraries` and a restart of a server that other
work shares, and Directus and the floor have no counter of their own; so the counting runs put
this small TCP proxy between a target and PostgreSQL. It reads the frontend protocol (a simple
Query, or Parse/Bind/Execute) and counts every statement executed, transaction control (BEGIN,
COMMIT, ROLLBACK) apart, as the server's own counter (X-Directus-Statements) does. It is only used
for the counting runs, never while wrk measures.
"""

import contextlib
import re
import socket
import struct
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
TRANSACTION_CONTROL = re.compile(rb"\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK)\b", re.IGNORECASE)


@dataclass
class Tally:
    statements: int = 0
    transaction_control: int = 0
    texts: list[str] = field(default_factory=list)


class StatementCounter:
    """A proxy on 127.0.0.1 in front of the PostgreSQL server of `database_url`."""

    def __init__(self, database_url: str):
        parts = urlsplit(database_url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.tally = Tally()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database_url: str) -> str:
        """`database_url` with its host and port replaced by the proxy's."""
        parts = urlsplit(database_url)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def take(self) -> Tally:
        """What was counted since the last call."""
        with self.lock:
            tally, self.tally = self.tally, Tally()
        return tally

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            threading.Thread(target=self._client_to_server, args=(client, upstream), daemon=True).start()
            threading.Thread(target=_copy, args=(upstream, client), daemon=True).start()

    def _client_to_server(self, client: socket.socket, upstream: socket.socket) -> None:
        reader = client.makefile("rb")
        try:
            if not _forward_startup(reader, client, upstream):
                return
            statements: dict[bytes, bytes] = {}  # prepared statement name -> SQL
            portals: dict[bytes, bytes] = {}  # portal name -> SQL
            while header := reader.read(5):
                kind, length = header[:1], struct.unpack("!i", header[1:])[0]
                body = reader.read(length - 4)
                self._observe(kind, body, statements, portals)
                upstream.sendall(header + body)
        except OSError:
            pass
        finally:
            _close(upstream)
            _close(client)

    def _observe(self, kind: bytes, body: bytes, statements: dict, portals: dict) -> None:
        if kind == b"Q":
            self._count(body.rstrip(b"\0"))
        elif kind == b"P":
            name, query = body.split(b"\0", 2)[:2]
            statements[name] = query
        elif kind == b"B":
            portal, statement = body.split(b"\0", 2)[:2]
            portals[portal] = statements.get(statement, b"")
        elif kind == b"E":
            self._count(portals.get(body.split(b"\0", 1)[0], b""))

    def _count(self, sql: bytes) -> None:
        with self.lock:
            if TRANSACTION_CONTROL.match(sql):
                self.tally.transaction_control += 1
            else:
                self.tally.statements += 1
                self.tally.texts.append(sql.decode(errors="replace"))


def _forward_startup(reader, client: socket.socket, upstream: socket.socket) -> bool:
    """Passes the startup message on; refuses TLS and GSS encryption so the rest stays readable."""
    while header := reader.read(8):
        length, code = struct.unpack("!ii", header)
        rest = reader.read(length - 8)
        if code in (SSL_REQUEST, GSSENC_REQUEST):
            client.sendall(b"N")
            continue
        upstream.sendall(header + rest)
        return True
    return False


def _copy(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        _close(target)
        _close(source)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
