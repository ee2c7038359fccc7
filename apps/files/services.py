"""Creating, replacing, renaming and deleting files: the stored content and the directus_files
row change together.

Content is stored before the database transaction opens (an upload to S3 may take a while, and
the transaction should not), and removed again when the transaction fails; files that rows no
longer name are removed only after the transaction succeeded. So a failed request leaves neither
a row without its file nor a stored file without its row, and a successful one leaves no
orphans. The item service's transaction is the outermost one, so "after the block" is "after
the commit"."""

import contextlib
import fnmatch
import json
import logging
import re
import secrets
import string
import uuid
from pathlib import PurePosixPath

from django.utils import timezone

from apps.core import errors
from apps.core.handlers import storage_unavailable
from apps.items.hooks import NO_HOOKS, WriteHooks
from apps.items.keys import check_batch
from apps.items.operations import Items, ItemService
from apps.schema.description import CollectionInfo
from apps.schema.project_settings import load_settings

from .models import File
from .sniff import analyse, client_extension, extension_for
from .storage import project_storage, upload_limit
from .uploads import Embed, Source

logger = logging.getLogger("directus.files")

COLLECTION = "directus_files"
# Columns the server derives from the stored content (or sets itself); a client never sets them.
DERIVED = frozenset(
    {
        "id",
        "data",
        "storage",
        "private_hash",
        "type",
        "charset",
        "filesize",
        "width",
        "height",
        "duration",
        "embed",
        "checksum",
        "uploaded_by",
        "uploaded_on",
    }
)
HASH_ALPHABET = string.digits + string.ascii_lowercase


def private_hash() -> str:
    return "".join(secrets.choice(HASH_ALPHABET) for _ in range(16))


def title_from(name: str) -> str:
    """files.md: extension removed, separators to spaces, words capitalised."""
    stem = PurePosixPath(name).stem if "." in name else name
    words = re.split(r"[\s_\-.]+", stem)
    return " ".join(word[:1].upper() + word[1:] for word in words if word)


def base_name(name) -> str:
    """The last segment of a client-given path (`../../x`, `C:\\x`, `/etc/x` → `x`)."""
    text = str(name or "").replace("\\", "/")
    text = "".join(ch for ch in text if ch.isprintable())
    return text.rsplit("/", 1)[-1].strip()


def safe_disk_name(name: str) -> str:
    """A stored file name: one path segment of letters, digits, `.`, `-` and `_`, not hidden."""
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", base_name(name)).strip(".-")
    return re.sub(r"-{2,}", "-", text)[:200]


def download_name(name) -> str:
    return base_name(name).lstrip(".")[:255]


class FileRowHooks(WriteHooks):
    """A directus_files row written as a nested object of another collection's payload
    (deviation 22). Only the file service stores content and derives the columns that describe
    it, so such a write never sets them: a new row is refused as POST /files refuses one without
    content, and an update leaves them as they are, as PATCH /files does (the file service's own
    writes pass `hooks=NO_HOOKS`)."""

    def before_create(self, writer, collection, payload):
        if "data" in payload:
            raise errors.InvalidRequest("data: files are uploaded through /files, then linked by their id")
        raise errors.InvalidRequest("data: This value should not be blank.")

    def before_update(self, writer, collection, pk, current, payload):
        if "data" in payload:
            raise errors.InvalidRequest("data: a file's content is replaced through /files")
        requested = payload.get("filename_disk")
        if requested is not None and safe_disk_name(requested) != current.get("filename_disk"):
            raise errors.InvalidRequest("filename_disk: a stored file is renamed through /files")
        payload = {key: value for key, value in payload.items() if key not in DERIVED and key != "filename_disk"}
        if payload.get("filename_download") not in (None, ""):
            payload["filename_download"] = download_name(payload["filename_download"])
        return payload


class FileService:
    """The file operations of one request, through the item service `items` (of the caller of
    a directus_files view): the content columns are derived here, and the permission checks
    see only the fields the client sent (`caller_fields`)."""

    def __init__(self, items: ItemService, info: CollectionInfo, project):
        self.items = items
        self.info = info
        self.project = project
        self.storage = project_storage(project)
        self.settings = load_settings()
        self.limit = upload_limit(project)

    # -- create ----------------------------------------------------------------------------------

    def create(self, fields: dict, source: Source | None, params: dict) -> Items:
        """The new file, read back with `params`."""
        if source is None:
            raise errors.InvalidRequest("data: This value should not be blank.")
        client = self._client_fields(fields)
        if source.kind == "base64" and not (client.get("filename_download") or client.get("filename_disk")):
            # Base64 text has no name of its own to derive the file's name and type from (files.md).
            raise errors.InvalidRequest("filename_download: This value should not be blank.")
        self.items.guard.check_create(self.info, client)  # before anything is downloaded or stored
        now = timezone.now()
        created: list[str] = []
        try:
            if source.kind == "embed":
                values = self._embed_values(source.embed, client)
            else:
                content = source.open(self.limit)
                try:
                    values, extension = self._content_values(content, client, current=None)
                    requested = client.get("filename_disk") or values["filename_download"]
                    disk_name = self._new_disk_name(requested, extension)
                    values["filename_disk"] = self._store(disk_name, content.file, created)
                finally:
                    content.close()
            values.update(private_hash=self._unique_hash(), uploaded_on=now, storage=self.storage.adapter)
            # This service sets the content columns itself: FileRowHooks is for other writers.
            return self.items.create(
                self.info, [{**client, **values}], params, many=False, hooks=NO_HOOKS, caller_fields=set(client)
            )
        except BaseException:
            self._discard(created)
            raise

    # -- update ----------------------------------------------------------------------------------

    def update(self, changes: list[tuple[object, dict, Source | None]], params: dict, *, many: bool) -> Items:
        """Apply `(pk, fields, source)` changes together; the files read back with `params`."""
        check_batch(changes)
        created: list[str] = []
        obsolete: list[str] = []
        prepared = []
        try:
            for pk, fields, source in changes:
                client = self._client_fields(fields)
                current = File.objects.filter(pk=pk).values().first()
                if current is None:
                    raise errors.ItemNotFound(f'Item with id "{pk}" not found')
                self.items.guard.check_update(self.info, current, client, soft_delete=False)
                values = self._replacement(current, client, source, created, obsolete)
                payload = {key: value for key, value in client.items() if key != "filename_disk"}
                prepared.append((pk, {**payload, **values}, set(client)))
            with self.items.atomic():
                for pk, payload, client_keys in prepared:
                    self.items.update(self.info, [pk], payload, hooks=NO_HOOKS, caller_fields=client_keys)
                keys = [pk for pk, _fields, _source in changes]
                written = self.items.read(self.info, keys, params, many=many, updated=True)
        except BaseException:
            self._discard(created)
            raise
        self._remove_unreferenced(obsolete)
        return written

    def _replacement(self, current: dict, client: dict, source: Source | None, created: list, obsolete: list) -> dict:
        """The derived values of a PATCH: new content, or the stored file renamed."""
        old_name = current.get("filename_disk") or ""
        requested = client.get("filename_disk")
        if requested is not None and safe_disk_name(requested) == old_name:
            requested = None
        if source is not None:
            if source.kind == "embed":
                raise errors.InvalidRequest("data: a stored file can't be replaced by an embed")
            content = source.open(self.limit)
            try:
                keep_download = client.get("filename_download") or (
                    current.get("filename_download") if not content.name else None
                )
                values, extension = self._content_values(
                    content, {**client, "filename_download": keep_download}, current=current
                )
                if requested:
                    name = self._renamed(requested, values["type"], pk=current["id"])
                else:
                    name = self._new_disk_name(content.name or values["filename_download"], extension)
                values["filename_disk"] = self._store(name, content.file, created)
                values["uploaded_on"] = timezone.now()  # new content: validators (Last-Modified) change
            finally:
                content.close()
            obsolete.append(old_name)
            return values
        if not requested:
            return {}
        name = self._renamed(requested, current.get("type") or "", pk=current["id"])
        try:
            stored = self.storage.copy(old_name, name)
        except Exception as exc:
            raise errors.InvalidRequest(f'filename_disk: the stored file can\'t be renamed to "{name}"') from exc
        created.append(stored)
        obsolete.append(old_name)
        return {"filename_disk": stored}

    # -- delete ----------------------------------------------------------------------------------

    def delete(self, pks: list) -> None:
        with self.items.atomic():
            names = list(File.objects.filter(pk__in=pks).values_list("filename_disk", flat=True))
            self.items.delete(self.info, pks)  # 404 / 403 as for items
        self._remove_unreferenced(names)

    # -- values ----------------------------------------------------------------------------------

    def _client_fields(self, fields: dict) -> dict:
        if not isinstance(fields, dict):
            raise errors.InvalidPayload()
        unknown = [key for key in fields if key not in self.info.fields]
        if unknown:
            raise errors.UnprocessableEntity(
                f'Payload fields: "{", ".join(unknown)}" does not exist in "{COLLECTION}" collection.'
            )
        client = {key: value for key, value in fields.items() if key not in DERIVED}
        if "filename_download" in client and client["filename_download"] not in (None, ""):
            client["filename_download"] = download_name(client["filename_download"])
        return client

    def _content_values(self, content, client: dict, *, current: dict | None) -> tuple[dict, str]:
        """The columns the content gives, and the file extension its type calls for."""
        name = download_name(content.name or client.get("filename_download") or client.get("filename_disk") or "")
        facts = analyse(content.file, name)
        if facts.filesize == 0:
            raise errors.InvalidRequest("data: the file is empty")
        if facts.filesize > self.limit:
            raise errors.UploadTooLarge()
        self._check_type_allowed(facts.type)
        download = client.get("filename_download") or name
        if not download:
            download = f"file.{facts.extension}" if facts.extension else "file"
        values = {
            "filename_download": download_name(download),
            "type": facts.type,
            "charset": facts.charset,
            "filesize": facts.filesize,
            "width": facts.width,
            "height": facts.height,
            "duration": facts.duration,
            "checksum": facts.checksum,
            "embed": None,
        }
        if current is None:
            values["title"] = client.get("title") or facts.iptc.get("title") or title_from(values["filename_download"])
            for key in ("description", "location", "tags"):
                if key in facts.iptc and client.get(key) in (None, "", []):
                    values[key] = facts.iptc[key]
        return values, facts.extension

    def _embed_values(self, embed: Embed, client: dict) -> dict:
        name = f"{embed.provider}-{embed.id}"
        return {
            "filename_disk": name,
            "filename_download": client.get("filename_download") or name,
            "title": client.get("title") or f"{embed.provider.capitalize()} video {embed.id}",
            "type": embed.type,
            "embed": embed.id,
            "filesize": 0,
            "charset": None,
            "checksum": None,
        }

    def _check_type_allowed(self, mime: str) -> None:
        raw = self.settings.get("file_mimetype_whitelist") or ""
        patterns = [part.strip().lower() for part in str(raw).split(",") if part.strip()]
        if patterns and not any(fnmatch.fnmatchcase(mime, pattern) for pattern in patterns):
            raise errors.InvalidRequest(f'data: files of type "{mime}" are not allowed')

    def _unique_hash(self) -> str:
        while True:
            candidate = private_hash()
            if not File.objects.filter(private_hash=candidate).exists():
                return candidate

    # -- disk names ------------------------------------------------------------------------------

    def _new_disk_name(self, requested: str, extension: str) -> str:
        suffix = f".{extension}" if extension else ""
        if (self.settings.get("file_naming") or "uuid") != "file_name":
            return f"{uuid.uuid4()}{suffix}"
        stem = PurePosixPath(base_name(requested)).stem if "." in base_name(requested) else base_name(requested)
        stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "file"
        stem = stem[:150]
        for number in range(1000):
            candidate = f"{stem}{f'-{number}' if number else ''}{suffix}"
            if not self._taken(candidate, pk=None):
                return candidate
        return f"{uuid.uuid4()}{suffix}"

    def _renamed(self, requested, mime: str, *, pk) -> str:
        name = safe_disk_name(requested)
        if not name or PurePosixPath(name).stem in {"", "."}:
            raise errors.InvalidRequest("filename_disk: not a valid file name")
        extension = client_extension(name)
        wanted = extension_for(mime, extension) if mime else extension
        if wanted != extension:
            # The extension keeps saying what the content is (servers in front may trust it).
            name = f"{PurePosixPath(name).stem if extension else name}.{wanted}" if wanted else name
        if self._taken(name, pk=pk):
            raise errors.InvalidRequest(f'filename_disk: a file named "{name}" already exists')
        return name

    def _taken(self, name: str, *, pk) -> bool:
        rows = File.objects.filter(filename_disk=name)
        if pk is not None:
            rows = rows.exclude(pk=pk)
        return rows.exists() or self.storage.exists(name)

    # -- stored files ----------------------------------------------------------------------------

    def _store(self, name: str, fileobj, created: list) -> str:
        try:
            stored = self.storage.save(name, fileobj)
        except errors.DirectusError:
            raise
        except Exception as exc:
            logger.exception("Storing %s failed", name)
            if storage_unavailable(exc):
                raise errors.StorageUnavailable(headers={"Retry-After": "5"}) from exc
            raise errors.FileSystemError("Failed to write file to disk") from exc
        created.append(stored)
        return stored

    def _discard(self, names: list[str]) -> None:
        for name in names:
            try:
                self.storage.delete(name)
            except Exception:
                logger.exception("Could not remove %s after a failed write", name)

    def _remove_unreferenced(self, names: list[str]) -> None:
        for name in dict.fromkeys(names):
            if not name or File.objects.filter(filename_disk=name).exists():
                continue
            try:
                self.storage.delete(name)
                self.storage.delete_thumbnails(name)
            except Exception:
                logger.exception("Could not remove the stored file %s", name)


def normalise_form_fields(fields: dict) -> dict:
    """Multipart text fields are strings: empty ones mean null, JSON arrays/objects decode, and
    `tags` may be a CSV list (a form has no arrays)."""
    out = {}
    for key, value in fields.items():
        if isinstance(value, str):
            stripped = value.strip()
            if stripped == "" and key in {"folder", "tags", "metadata"}:
                value = None
            elif key in {"tags", "metadata"} and stripped[:1] in {"[", "{"}:
                with contextlib.suppress(ValueError, RecursionError):
                    value = json.loads(stripped)
            if key == "tags" and isinstance(value, str):
                value = [tag.strip() for tag in value.split(",") if tag.strip()]
        out[key] = value
    return out
