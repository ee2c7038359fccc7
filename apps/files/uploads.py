"""Where the content of an upload comes from (files.md § POST): a multipart file part, a base64
string, or a URL — each turned into a temporary file on disk, never held whole in memory, and
never larger than the project's upload limit (413 code 601, deviation 10)."""

import binascii
import contextlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler

from apps.core import errors
from directus.conf import directus_settings

from . import fetch

BASE64_CHUNK = 4 * 256 * 1024  # characters decoded at a time (a multiple of 4)
DATA_URI = re.compile(r"^data:(?P<mime>[^;,]*)(?P<params>(;[^;,]*)*?);base64,", re.IGNORECASE)


# Spooled uploads older than this are removed whoever wrote them (a process id may be reused).
SPOOL_MAX_AGE_SECONDS = 24 * 3600


def spool_dir() -> Path:
    """Where multipart file parts are spooled while they arrive: a folder of the server's own
    under the data directory, so that what a killed worker left behind is found and removed."""
    path = Path(directus_settings.DATA_DIR) / "tmp" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


class SpooledUpload(TemporaryUploadedFile):
    """A multipart file part on disk, named after the process receiving it. It is removed when
    closed; a process killed mid-upload cannot remove it, and `sweep_spool` does."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        spooled = tempfile.NamedTemporaryFile(prefix=f"{os.getpid()}-", suffix=".upload", dir=spool_dir())  # noqa: SIM115
        UploadedFile.__init__(self, spooled, name, content_type, size, charset, content_type_extra)


def sweep_spool() -> list[str]:
    """Remove the spooled uploads of processes that are gone, and any older than a day; the
    names removed. Each gunicorn worker runs it as it starts (it may replace a killed one)."""
    removed = []
    cutoff = time.time() - SPOOL_MAX_AGE_SECONDS
    for path in spool_dir().iterdir():
        pid = path.name.split("-", 1)[0]
        try:
            stale = path.stat().st_mtime < cutoff or not (pid.isdigit() and _alive(int(pid)))
            if stale:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:  # its own process closed it meanwhile
            continue
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Multipart file parts go straight to a temporary file, counted as they arrive; the upload
    is aborted (and the partial file removed) as soon as it passes `limit`. One file part only."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.files = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # A body larger than the file limit plus what the text fields may take can't be valid.
        if content_length and content_length > self.limit + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise errors.UploadTooLarge()

    def new_file(self, *args, **kwargs):
        self.files += 1
        if self.files > 1:
            raise errors.BatchUploadNotAllowed()
        self.received = 0
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = SpooledUpload(self.file_name, self.content_type, 0, self.charset, self.content_type_extra)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.file.close()  # a temporary file: closing removes it
            raise errors.UploadTooLarge()
        return super().receive_data_chunk(raw_data, start)


def install_upload_handler(django_request, limit: int) -> None:
    """Before anything reads the body (authentication may read POST fields)."""
    django_request.upload_handlers = [LimitedUploadHandler(django_request, limit=limit)]


@dataclass
class Content:
    """The bytes of an upload in a temporary file, and the name the client gave them."""

    file: object
    name: str = ""
    content_type: str = ""

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.file.close()


@dataclass
class Embed:
    provider: str  # "youtube" or "vimeo"
    id: str

    @property
    def type(self) -> str:
        return f"embed/{self.provider}"


@dataclass
class Source:
    """What `data` (or the multipart file part) holds, before anything is downloaded."""

    kind: str  # "file", "base64", "url", "embed"
    file: object = None
    name: str = ""
    text: str = ""
    embed: Embed | None = None

    def open(self, limit: int) -> Content:
        if self.kind == "file":
            return Content(self.file, self.name)
        if self.kind == "base64":
            return Content(decode_base64(self.text, limit), self.name)
        if self.kind == "url":
            fetched = fetch.fetch(self.text, limit=limit, accept=_importable)
            return Content(fetched.file, fetched.name, fetched.content_type)
        raise errors.InvalidRequest("data: nothing to store")


def source_of(value, *, uploaded=None) -> Source | None:
    """The source of a request's content: a multipart file, else the `data` value."""
    if uploaded is not None:
        return Source("file", file=uploaded, name=getattr(uploaded, "name", "") or "")
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise errors.InvalidRequest("data: must be a base64 string or a URL")
    text = value.strip()
    if re.match(r"^https?://", text, re.IGNORECASE):
        embed = embed_of_url(text)
        if embed is not None:
            return Source("embed", text=text, embed=embed)
        return Source("url", text=text)
    return Source("base64", text=text)


def _importable(content_type: str) -> bool:
    """files.md: URLs are downloaded when the response is an image or a PDF."""
    return content_type.startswith("image/") or "pdf" in content_type


def embed_of_url(url: str) -> Embed | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if host in {"youtube.com", "m.youtube.com", "youtube-nocookie.com"}:
        video = (parse_qs(parts.query).get("v") or [""])[0]
        if not video and parts.path.startswith(("/embed/", "/shorts/")):
            video = parts.path.split("/")[2]
        return Embed("youtube", video) if re.fullmatch(r"[A-Za-z0-9_-]{6,20}", video or "") else None
    if host == "youtu.be":
        video = parts.path.strip("/").split("/")[0]
        return Embed("youtube", video) if re.fullmatch(r"[A-Za-z0-9_-]{6,20}", video) else None
    if host in {"vimeo.com", "player.vimeo.com"}:
        match = re.search(r"/(\d{4,})", parts.path)
        return Embed("vimeo", match.group(1)) if match else None
    return None


def decode_base64(text: str, limit: int):
    """`data` as base64 (optionally a `data:<mime>;base64,` URI) decoded into a temporary file."""
    match = DATA_URI.match(text)
    if match:
        text = text[match.end() :]
    text = re.sub(r"\s+", "", text)
    if len(text) % 4:
        text += "=" * (-len(text) % 4)
    if len(text) // 4 * 3 - text[-2:].count("=") > limit:
        raise errors.UploadTooLarge()
    target = tempfile.TemporaryFile()  # noqa: SIM115  (closed by Content.close)
    try:
        for start in range(0, len(text), BASE64_CHUNK):
            target.write(binascii.a2b_base64(text[start : start + BASE64_CHUNK], strict_mode=True))
    except (binascii.Error, ValueError):
        target.close()
        raise errors.InvalidRequest("data: is neither valid base64 nor a URL") from None
    target.seek(0)
    return target
