"""`GET /:project/assets/:key`: the stored original of a file, or a thumbnail of it.

No authentication: the key (the file's private hash, or its download name when the setting
`asset_url_naming` says so) is the access control (assets.md). Thumbnails are rendered once,
stored in the project's thumbnail storage, and served from there afterwards.

`GET /uploads/:project/originals/:name` is the `url` / `full_url` of a file on local storage
(files.md), which Directus 8's web server served from its public folder: the stored original of
the project's file with that disk name, under the same rules. On S3 those URLs are the bucket's.

Responses carry ETag and Last-Modified and answer conditional requests with 304. Anything but a
type that is safe to show inline (raster images, audio, video, PDF, plain text) is sent as an
attachment with a restrictive Content-Security-Policy (deviation 14)."""

import hashlib
import logging
import re

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe, quote_etag

from apps.core import errors
from apps.core.lookups import exactly
from apps.core.views import DirectusView
from apps.files.models import File
from apps.files.storage import LOCAL, MissingFile, project_storage
from apps.settings.services import load_settings

from . import thumbnails

logger = logging.getLogger("directus.assets")

SAFE_INLINE = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/avif",
        "image/x-icon",
        "image/vnd.microsoft.icon",
        "image/tiff",
        "application/pdf",
        "text/plain",
    }
)
RESTRICTIVE_CSP = "default-src 'none'; sandbox"
# One `type/subtype` of RFC 6838 names, nothing around it: no list, no parameters.
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
UNKNOWN_TYPE = "application/octet-stream"


def served_type(stored) -> str:
    """The Content-Type of a stored file: its `type` when that is a single media type, else
    octet-stream (browsers would pick one out of a list such as `audio/mpeg,text/html`)."""
    mime = str(stored or "").strip().lower()
    return mime if MEDIA_TYPE.fullmatch(mime) else UNKNOWN_TYPE


def is_safe_inline(mime: str) -> bool:
    mime = served_type(mime)
    return mime in SAFE_INLINE or mime.startswith(("audio/", "video/"))


class AssetView(DirectusView):
    authentication_classes = ()
    permission_classes = ()

    def get(self, request, key: str):
        settings = load_settings()
        row = self._file(key, settings)
        params = thumbnails.resolve(request.GET, settings)
        storage = project_storage(request.project)
        if params is None:
            return self._original(row, storage, settings)
        return self._thumbnail(row, params, storage, settings)

    # -- lookup --------------------------------------------------------------------------------

    def _file(self, key: str, settings) -> File:
        files = File.objects.order_by("id")
        # The key is a secret: compared exactly on every engine (no case folding on MariaDB).
        field = "filename_download" if settings.get("asset_url_naming") == "filename_download" else "private_hash"
        row = files.filter(exactly(field, key)).first()
        if row is None:
            raise errors.ItemNotFound()
        return row

    # -- responses -----------------------------------------------------------------------------

    def _original(self, row: File, storage, settings):
        mime = served_type(row.type)
        headers = self._headers(row, settings, variant="original", mime=mime)
        not_modified = self._not_modified(headers)
        if not_modified is not None:
            return not_modified
        if self.request.method == "HEAD":
            return self._head(headers, mime, row.filesize)
        try:
            stream = storage.open(row.filename_disk)
        except (MissingFile, ValueError, OSError):
            raise errors.UnprocessableEntity("The file is missing from the storage.") from None
        response = StreamingHttpResponse(stream, content_type=mime)
        if stream.size is not None:
            response["Content-Length"] = str(stream.size)
        return self._finish(response, headers)

    def _thumbnail(self, row: File, params: thumbnails.Params, storage, settings):
        thumbnails.check_source(row.filename_disk, row.type or "")
        path = params.thumbnail_path(row.filename_disk)
        extension = params.output_extension(row.filename_disk)
        mime = thumbnails.OUTPUT_MIME[thumbnails.OUTPUT_FORMATS[extension]]
        headers = self._headers(row, settings, variant=path, mime=mime)
        not_modified = self._not_modified(headers)
        if not_modified is not None:
            return not_modified

        def render() -> bytes:
            try:
                with storage.local_copy(row.filename_disk) as source:
                    return thumbnails.render(source, params, row.filename_disk)[0]
            except (MissingFile, FileNotFoundError):
                raise errors.UnprocessableEntity("The file is missing from the storage.") from None

        found = storage.thumbnail(path, render)
        if isinstance(found, bytes):
            response = HttpResponse(b"" if self.request.method == "HEAD" else found, content_type=mime)
            response["Content-Length"] = str(len(found))
            return self._finish(response, headers)
        if self.request.method == "HEAD":
            found.close()
            return self._head(headers, mime, found.size)
        response = StreamingHttpResponse(found, content_type=mime)
        if found.size is not None:
            response["Content-Length"] = str(found.size)
        return self._finish(response, headers)

    # -- headers -------------------------------------------------------------------------------

    def _headers(self, row: File, settings, *, variant: str, mime: str) -> dict:
        identity = f"{row.pk}:{row.filename_disk}:{row.checksum}:{row.filesize}:{row.uploaded_on}:{variant}"
        headers = {"ETag": quote_etag(hashlib.md5(identity.encode(), usedforsecurity=False).hexdigest())}
        if row.uploaded_on is not None:
            headers["Last-Modified"] = http_date(row.uploaded_on.timestamp())
        ttl = settings.values.get("thumbnail_cache_ttl")
        if ttl not in (None, "") and str(ttl).strip().isdigit():
            headers["Cache-Control"] = f"max-age={int(str(ttl).strip())}, public"
        safe = is_safe_inline(mime)
        attachment = not safe or "download" in self.request.GET
        filename = "".join(ch for ch in (row.filename_download or row.filename_disk or "file") if ch.isprintable())
        headers["Content-Disposition"] = content_disposition_header(attachment, filename)
        headers["X-Content-Type-Options"] = "nosniff"
        if not safe:
            headers["Content-Security-Policy"] = RESTRICTIVE_CSP
        return headers

    def _not_modified(self, headers: dict):
        """A 304 when the client's copy is current (If-None-Match first, RFC 9110 § 13.2.2)."""
        request = self.request
        if_none_match = request.headers.get("If-None-Match")
        fresh = False
        if if_none_match:
            tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            fresh = "*" in tags or headers["ETag"] in tags
        elif request.headers.get("If-Modified-Since") and "Last-Modified" in headers:
            since = parse_http_date_safe(request.headers["If-Modified-Since"])
            modified = parse_http_date_safe(headers["Last-Modified"])
            fresh = since is not None and modified is not None and modified <= since
        if not fresh:
            return None
        response = HttpResponse(status=304)
        for name in ("ETag", "Last-Modified", "Cache-Control"):
            if name in headers:
                response[name] = headers[name]
        return response

    def _head(self, headers: dict, mime: str, size):
        response = HttpResponse(b"", content_type=mime)
        if size is not None:
            response["Content-Length"] = str(size)
        return self._finish(response, headers)

    def _finish(self, response, headers: dict):
        for name, value in headers.items():
            response[name] = value
        return response


class OriginalFileView(AssetView):
    def get(self, request, name: str):
        storage = project_storage(request.project)
        row = File.objects.filter(filename_disk=name).order_by("id").first() if storage.adapter == LOCAL else None
        if row is None:
            raise errors.ItemNotFound()
        return self._original(row, storage, load_settings())
