"""Downloading a file for a URL import without letting the server be used to reach places a
client could not (deviation 9).

Every hop — the URL itself and each redirect, at most URL_IMPORT_MAX_REDIRECTS — is resolved
here, every address it resolves to must be a public unicast one (not loopback, private,
link-local, multicast, reserved, shared, or a cloud metadata address), and the connection is
made to the vetted address itself, so a second DNS answer cannot swap it. The body is written
to a temporary file, at most the upload limit, within URL_IMPORT_TIMEOUT seconds in all.

Hosts and networks in URL_IMPORT_ALLOWLIST skip the address check: names are matched as
written in the URL, networks against the resolved addresses."""

import http.client
import posixpath
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from apps.core import errors, netguard
from directus.conf import directus_settings

CHUNK = 64 * 1024
REDIRECTS = {301, 302, 303, 307, 308}


class ImportRefused(errors.InvalidRequest):
    default_detail = "data: the URL can't be imported"


@dataclass
class Fetched:
    file: object  # a temporary binary file, at its start
    name: str
    content_type: str


def vet(host: str, port: int) -> tuple[str, ...]:
    """The addresses `host` may be reached at (apps.core.netguard decides, with the import
    allow-list); refused when any of them is not allowed."""
    try:
        return netguard.resolve(host, port, allowlist=directus_settings.URL_IMPORT_ALLOWLIST or [])
    except netguard.Refused:
        raise ImportRefused("data: the URL points to an address that may not be imported from") from None
    except netguard.DeliveryError:
        raise ImportRefused(f'data: the host "{host}" can\'t be resolved') from None


def fetch(url: str, *, limit: int, accept=None) -> Fetched:
    """GET `url` into a temporary file. `accept(content_type)` may refuse the response."""
    timeout = float(directus_settings.URL_IMPORT_TIMEOUT)
    deadline = time.monotonic() + timeout
    max_redirects = int(directus_settings.URL_IMPORT_MAX_REDIRECTS)
    for _hop in range(max_redirects + 1):
        response, connection = _request(url, deadline)
        try:
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise ImportRefused("data: the URL redirects nowhere")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise ImportRefused(f"data: the URL answered with status {response.status}")
            content_type = (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()
            if accept is not None and not accept(content_type):
                raise ImportRefused(f"data: the URL's content type \"{content_type}\" can't be imported")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise errors.UploadTooLarge()
            return Fetched(_read_body(response, connection, limit, deadline), _name_of(url), content_type)
        finally:
            connection.close()
    raise ImportRefused(f"data: the URL redirects more than {max_redirects} times")


def _request(url: str, deadline: float):
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise ImportRefused("data: only http and https URLs can be imported")
    host = parts.hostname
    if not host:
        raise ImportRefused("data: the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ImportRefused("data: the URL's port is invalid") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    last_error = None
    for address in vet(host, port):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        kind = netguard.PinnedHTTPSConnection if parts.scheme == "https" else netguard.PinnedHTTPConnection
        connection = kind(host, port, address, timeout=remaining)
        try:
            connection.request(
                "GET", path, headers={"User-Agent": "directus-django", "Accept": "*/*", "Accept-Encoding": "identity"}
            )
            return connection.getresponse(), connection
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            last_error = exc
    if last_error is None:
        raise ImportRefused("data: the URL took too long to answer")
    raise ImportRefused(f"data: the URL can't be reached ({type(last_error).__name__})")


def _read_body(response, connection, limit: int, deadline: float):
    target = tempfile.TemporaryFile()  # noqa: SIM115  (the caller closes it)
    size = 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ImportRefused("data: the download took too long")
            if connection.sock is not None:
                connection.sock.settimeout(remaining)
            chunk = response.read1(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise errors.UploadTooLarge()
            target.write(chunk)
    except (OSError, http.client.HTTPException) as exc:
        target.close()
        raise ImportRefused(f"data: the download failed ({type(exc).__name__})") from None
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def _name_of(url: str) -> str:
    name = posixpath.basename(unquote(urlsplit(url).path or ""))
    return name or "download"
