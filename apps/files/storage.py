"""Where a project's files live, through django-storages.

Each project's `storage` option (the registry row) picks the adapter:

* local (default): originals under `DATA_DIR/uploads/<project>/originals/`, generated thumbnails
  under `DATA_DIR/uploads/<project>/generated/<w…,h…,f…,q…>/` — the layout Directus 8 keeps in
  `public/uploads/<project>/`, so an adopted project points `root` / `thumb_root` at its old
  folders and every file and generated thumbnail is found;
* s3 (any S3-compatible server): `{"adapter" or "backend": "s3", "bucket", "endpoint_url",
  "access_key", "secret_key", "region", "addressing_style"}`, keys prefixed by `root` /
  `thumb_root` (default `<project>/originals` and `<project>/generated`).

Files are streamed in both directions; nothing here reads a whole file into memory."""

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import posixpath
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File as DjangoFile
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage

from directus.conf import directus_settings

logger = logging.getLogger("directus.files")

LOCAL = "local"
S3 = "s3"
CHUNK = 64 * 1024
# Lock files that serialise thumbnail renders on a host (a path maps to one of them).
RENDER_LOCKS = 256
# Output extensions a thumbnail may have next to the source's own (assets.md `format`).
THUMBNAIL_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp")


class MissingFile(Exception):
    """The stored file is not there."""


def storage_options(project) -> dict:
    return dict(getattr(project, "storage", None) or {})


def adapter_name(options: dict) -> str:
    return str(options.get("adapter") or options.get("backend") or LOCAL).lower()


def upload_limit(project) -> int:
    """Largest upload in bytes for this project (deviations.md § Limits)."""
    cap = int(directus_settings.UPLOAD_SIZE_CAP)
    try:
        wanted = int(storage_options(project).get("max_upload_size") or directus_settings.MAX_UPLOAD_SIZE)
    except (TypeError, ValueError):
        wanted = int(directus_settings.MAX_UPLOAD_SIZE)
    return max(0, min(wanted, cap))


class Stream:
    """A stored file opened for reading in chunks; iterate it, then close it."""

    def __init__(self, handle, size: int | None):
        self.handle = handle
        self.size = size

    def __iter__(self) -> Iterator[bytes]:
        while True:
            chunk = self.handle.read(CHUNK)
            if not chunk:
                break
            yield chunk

    def read(self, size=-1) -> bytes:
        return self.handle.read(size)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.handle.close()


@dataclass
class ProjectStorage:
    adapter: str
    originals: Storage
    generated: Storage

    # -- originals -----------------------------------------------------------------------------

    def exists(self, name: str) -> bool:
        return self.originals.exists(name)

    def save(self, name: str, fileobj) -> str:
        """Store `fileobj` (read from its start) as `name`; the name actually used."""
        if getattr(fileobj, "seekable", lambda: False)():
            fileobj.seek(0)
        stored = self.originals.save(name, DjangoFile(fileobj, name=name))
        return posixpath.basename(stored)

    def open(self, name: str) -> Stream:
        return self._open(self.originals, name)

    def delete(self, name: str) -> None:
        if name:
            self.originals.delete(name)

    def copy(self, source: str, target: str) -> str:
        if self.adapter == S3:  # a copy inside the bucket: nothing passes through here
            storage = self.originals
            client = storage.connection.meta.client
            source_key = {"Bucket": storage.bucket_name, "Key": storage._normalize_name(source)}
            client.copy(source_key, storage.bucket_name, storage._normalize_name(target))
            return target
        stream = self.open(source)
        try:
            return self.save(target, stream.handle)
        finally:
            stream.close()

    @contextlib.contextmanager
    def local_copy(self, name: str):
        """A seekable binary file with the original's content (the file itself when local)."""
        if self.adapter == LOCAL:
            try:
                handle = open(self.originals.path(name), "rb")  # noqa: SIM115
            except FileNotFoundError:
                raise MissingFile(name) from None
            with handle:
                yield handle
            return
        stream = self.open(name)
        with tempfile.TemporaryFile() as copy:
            try:
                shutil.copyfileobj(stream.handle, copy, CHUNK)
            finally:
                stream.close()
            copy.seek(0)
            yield copy

    # -- generated thumbnails ------------------------------------------------------------------

    def thumbnail_exists(self, path: str) -> bool:
        return self.generated.exists(path)

    def open_thumbnail(self, path: str) -> Stream:
        return self._open(self.generated, path)

    def save_thumbnail(self, path: str, content: bytes) -> None:
        """Store a rendered thumbnail whole: a reader sees the old file, the new one, or none,
        never a part (an S3 put is atomic already; a local file is renamed into place)."""
        if self.adapter != LOCAL:
            self.generated.save(path, ContentFile(content))
            return
        target = Path(self.generated.path(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as partial_file:
                partial_file.write(content)
            os.chmod(partial, 0o644)
            os.replace(partial, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            raise

    def thumbnail(self, path: str, render: Callable[[], bytes]) -> Stream | bytes:
        """The stored thumbnail at `path`, or the bytes `render()` made when it was missing (then
        stored). Parallel first requests for one thumbnail render it once per host: the others
        wait for that render and serve what it stored."""
        with contextlib.suppress(MissingFile):
            return self.open_thumbnail(path)
        with self._rendering(path):
            with contextlib.suppress(MissingFile):
                return self.open_thumbnail(path)
            content = render()
            try:
                self.save_thumbnail(path, content)
            except Exception:
                logger.exception("Could not store the thumbnail %s", path)  # served all the same
            return content

    @contextlib.contextmanager
    def _rendering(self, path: str):
        """An exclusive lock for rendering `path`, shared by every process of the host through a
        lock file (one of a fixed set, so their number stays bounded)."""
        digest = hashlib.sha256(f"{self.generated.location if self.adapter == LOCAL else ''}:{path}".encode())
        locks = Path(directus_settings.DATA_DIR) / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        lock_path = locks / f"thumbnail-{int(digest.hexdigest()[:4], 16) % RENDER_LOCKS}.lock"
        with open(lock_path, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def delete_thumbnails(self, filename_disk: str) -> None:
        """Every generated thumbnail of a stored file, whatever its parameters and format."""
        if not filename_disk:
            return
        try:
            directories, _files = self.generated.listdir("")
        except (FileNotFoundError, NotADirectoryError):
            return
        names = [filename_disk] + [f"{filename_disk}.{extension}" for extension in THUMBNAIL_EXTENSIONS]
        for directory in directories:
            for name in names:
                with contextlib.suppress(FileNotFoundError):
                    self.generated.delete(posixpath.join(directory, name))

    # -- helpers -------------------------------------------------------------------------------

    def _open(self, storage: Storage, name: str) -> Stream:
        if self.adapter == S3:
            from botocore.exceptions import ClientError

            key = storage._normalize_name(name)
            try:
                response = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
            except ClientError as exc:
                if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                    raise MissingFile(name) from None
                raise
            return Stream(response["Body"], response.get("ContentLength"))
        try:
            path = storage.path(name)
            handle = open(path, "rb")  # noqa: SIM115  (closed by Stream.close)
        except (FileNotFoundError, IsADirectoryError):
            raise MissingFile(name) from None
        return Stream(handle, os.fstat(handle.fileno()).st_size)


_lock = threading.Lock()
_cache: dict[tuple[str, str], ProjectStorage] = {}


def project_storage(project) -> ProjectStorage:
    """The storage of a project (instances are kept per project and configuration)."""
    options = storage_options(project)
    key = (project.key, json.dumps(options, sort_keys=True, default=str))
    cached = _cache.get(key)
    if cached is not None:
        return cached
    with _lock:
        if key not in _cache:
            _cache[key] = _build(project.key, options)
        return _cache[key]


def _build(project_key: str, options: dict) -> ProjectStorage:
    adapter = adapter_name(options)
    if adapter == S3:
        from botocore.config import Config
        from storages.backends.s3 import S3Storage

        common = {
            "bucket_name": options.get("bucket"),
            "endpoint_url": options.get("endpoint_url") or None,
            "access_key": options.get("access_key") or options.get("key"),
            "secret_key": options.get("secret_key") or options.get("secret"),
            "region_name": options.get("region") or None,
            "file_overwrite": True,
            "querystring_auth": False,
            "default_acl": None,
            # A store that does not answer fails the request in seconds (503, deviation 18), not
            # after botocore's default minute-long timeouts and retries.
            "client_config": Config(
                s3={"addressing_style": options.get("addressing_style") or None},
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        }
        root = str(options.get("root") or f"{project_key}/originals").strip("/")
        thumb_root = str(options.get("thumb_root") or f"{project_key}/generated").strip("/")
        return ProjectStorage(S3, S3Storage(location=root, **common), S3Storage(location=thumb_root, **common))
    if adapter != LOCAL:
        from apps.core import errors

        raise errors.FileSystemError(f'Storage adapter "{adapter}" is not supported')
    uploads = Path(directus_settings.DATA_DIR) / "uploads" / project_key
    root = _local_path(options.get("root"), uploads / "originals")
    thumb_root = _local_path(options.get("thumb_root"), uploads / "generated")
    return ProjectStorage(
        LOCAL,
        FileSystemStorage(location=str(root), base_url=None),
        FileSystemStorage(location=str(thumb_root), base_url=None, allow_overwrite=True),
    )


def _local_path(value, default: Path) -> Path:
    if not value:
        return default
    path = Path(str(value))
    return path if path.is_absolute() else Path(directus_settings.DATA_DIR) / path
