"""Outgoing HTTP that cannot be turned against the server's own network (deviations.md 9).

Every hop — the URL itself and each redirect — is resolved here; every address the host resolves
to must be a public unicast one (not loopback, private, link-local, multicast, reserved, shared,
unspecified, or a cloud metadata address), and the connection is made to the vetted address
itself, so a second DNS answer cannot swap it (DNS rebinding).

An allow-list (host names as written in the URL, or IP networks matched against the resolved
addresses) lets chosen non-public targets through: an intranet receiver, or loopback in tests.

    check_url(url, allowlist=...)               # raises Refused for a URL that may never be used
    send("POST", url, body=..., timeout=5, ...) # one request, following vetted redirects

Webhooks use this module; the files app's URL import (apps/files/fetch.py) keeps an equivalent
guard of its own for now."""

import http.client
import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Cloud metadata services (AWS, ECS, Alibaba, AWS IPv6, Oracle...) even where they look routable.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "192.0.0.192")
)
USER_AGENT = "directus-django"
# At most this much of a response body is read (and then dropped): receivers answer, we ignore.
MAX_RESPONSE_BYTES = 64 * 1024


class Refused(Exception):
    """The URL (or a redirect of it) may not be requested; the message says why."""


class DeliveryError(Exception):
    """The request was allowed but failed (connection, timeout, protocol)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    status: int
    url: str  # the URL that answered, after redirects


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address.sixtofour is not None:
            address = address.sixtofour
    if address in METADATA_ADDRESSES:
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def _allowlist(entries: Iterable) -> tuple[set[str], list]:
    names, networks = set(), []
    for entry in entries or ():
        text = str(entry).strip().lower()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            names.add(text)
    return names, networks


def _split(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url.strip():
        raise Refused("the URL is empty")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused("the URL is not valid") from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise Refused("only http and https URLs are allowed")
    host = parts.hostname
    if not host:
        raise Refused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise Refused("URLs with credentials are not allowed")
    scheme = parts.scheme.lower()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def resolve(host: str, port: int, *, allowlist: Iterable = ()) -> tuple[str, ...]:
    """The addresses `host` may be reached at. Refused when it resolves to any address that is
    neither public nor allow-listed, or to none; DNS failures are `DeliveryError`."""
    names, networks = _allowlist(allowlist)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise DeliveryError(f'the host "{host}" can\'t be resolved') from exc
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]
        address = ipaddress.ip_address(text)
        allowed = host.lower() in names or any(address in network for network in networks)
        if not allowed and not is_public(address):
            raise Refused("the URL points to an address that may not be reached")
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise DeliveryError(f'the host "{host}" can\'t be resolved')
    return tuple(addresses)


def target(url: str, *, allowlist: Iterable = ()) -> Target:
    scheme, host, port, path = _split(url)
    return Target(scheme, host, port, path, resolve(host, port, allowlist=allowlist))


def check_url(url: str, *, allowlist: Iterable = (), require_resolution: bool = False) -> None:
    """Refuse a URL that can never be requested: not http(s), or a host that names or resolves to
    a non-public address. A name that does not resolve (yet) passes unless `require_resolution`;
    every request re-checks it anyway."""
    _scheme, host, port, _path = _split(url)
    try:
        resolve(host, port, allowlist=allowlist)
    except DeliveryError:
        if require_resolution:
            raise Refused(f'the host "{host}" can\'t be resolved') from None


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address vetted beforehand, so a second DNS answer cannot swap it."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def send(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict | None = None,
    timeout: float = 10.0,
    max_redirects: int = 3,
    allowlist: Iterable = (),
) -> Answer:
    """One HTTP request within `timeout` seconds in all, redirects included (each vetted).

    301/302/303 continue as GET without a body; 307/308 repeat the method and body. The
    response body is read (up to MAX_RESPONSE_BYTES) and discarded."""
    deadline = time.monotonic() + timeout
    allowlist = tuple(allowlist or ())
    for _hop in range(max_redirects + 1):
        hop = target(url, allowlist=allowlist)
        response, connection = _request(hop, method, body, headers or {}, deadline)
        try:
            status = response.status
            location = response.getheader("Location") if status in REDIRECTS else None
            _drain(response, connection, deadline)
        finally:
            connection.close()
        if status in REDIRECTS:
            if not location:
                return Answer(status, url)
            url = urljoin(url, location)
            if status in {301, 302, 303}:
                method, body = "GET", None
            continue
        return Answer(status, url)
    raise Refused(f"the URL redirects more than {max_redirects} times")


def _request(hop: Target, method: str, body, headers: dict, deadline: float):
    last_error: Exception | None = None
    for address in hop.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        kind = PinnedHTTPSConnection if hop.scheme == "https" else PinnedHTTPConnection
        connection = kind(hop.host, hop.port, address, timeout=remaining)
        sent = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity", **headers}
        try:
            connection.request(method, hop.path, body=body, headers=sent)
            return connection.getresponse(), connection
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            last_error = exc
    if last_error is None:
        raise DeliveryError("timed out")
    raise DeliveryError(f"can't be reached ({type(last_error).__name__}: {last_error})") from last_error


def _drain(response, connection, deadline: float) -> None:
    read = 0
    try:
        while read < MAX_RESPONSE_BYTES:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeliveryError("timed out reading the response")
            if connection.sock is not None:
                connection.sock.settimeout(remaining)
            chunk = response.read1(8192)
            if not chunk:
                break
            read += len(chunk)
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"the response failed ({type(exc).__name__})") from exc
