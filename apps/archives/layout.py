"""The project archive: one gzip-compressed tar file.

    manifest.json              {"format": 1, "project", "engine", "created", "directus",
                                "rows": {member: count}, "files": {member: sha256}}
    schema.json                the schema snapshot (apps.snapshots)
    secret.json                the project's signing keys (only when asked for)
    system/<table>.jsonl       the rows of a system table, one JSON object per line
    items/<collection>.jsonl   the rows of a user collection, one JSON object per line
    files/<filename_disk>      the stored originals

The manifest comes first and lists every other member with its SHA-256; a reader refuses an
archive with a member missing, unlisted or different, or of a format it does not know, before
it creates anything. Members are written to a folder first (a tar header needs the size), and
the archive is renamed into place only when it is whole."""

import contextlib
import hashlib
import json
import os
import re
import tarfile
import time
import zlib
from pathlib import Path

from apps.operations.services import ProjectError

FORMAT = 1
MANIFEST = "manifest.json"
SCHEMA = "schema.json"
SECRET = "secret.json"
SYSTEM = "system"
ITEMS = "items"
FILES = "files"
CHUNK = 1024 * 1024

# One path segment: what a table, collection or stored file name may be in an archive.
_SEGMENT = re.compile(r"^(?!\.)[^/\\\x00-\x1f]{1,255}$")


class ArchiveError(ProjectError):
    """The archive cannot be read or written as asked (message for the operator)."""


def member(folder: str, name: str, suffix: str = "") -> str:
    if not _SEGMENT.match(name) or name in {".", ".."}:
        raise ArchiveError(f"{name!r} cannot be a member of an archive")
    return f"{folder}/{name}{suffix}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# Writing -----------------------------------------------------------------------------------


def write(out: Path, manifest: dict, folder: Path) -> None:
    """The archive of `manifest` and the members in `folder` (named as the manifest names them),
    written beside `out` and renamed to it once complete."""
    partial = out.with_name(out.name + ".partial")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            tar.addfile(_info(MANIFEST, len(data)), fileobj=_BytesReader(data))
            for name in manifest["files"]:
                path = folder / name
                with open(path, "rb") as handle:
                    tar.addfile(_info(name, path.stat().st_size), fileobj=handle)
        os.replace(partial, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600  # archives hold password hashes (and perhaps the secret)
    info.mtime = int(time.time())
    return info


class _BytesReader:
    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk = bytes(self.data[self.offset : end])
        self.offset += len(chunk)
        return chunk


# Reading -----------------------------------------------------------------------------------


def extract(archive: Path, folder: Path, required: set[str]) -> dict:
    """Unpack `archive` into `folder`, checking it whole; its manifest.

    Refused: what is not a gzip tar or ends early, a first member other than the manifest, a
    format other than this server's, a member missing, unlisted, listed twice, not a plain file
    or different from its checksum, and a member of `required` that is not there."""
    if not archive.is_file():
        raise ArchiveError(f"No archive at {archive}.")
    manifest = None
    seen: set[str] = set()
    try:
        with tarfile.open(archive, "r|gz") as tar:
            for info in tar:
                if manifest is None:
                    if info.name != MANIFEST or not info.isfile():
                        raise ArchiveError(
                            f"{archive.name} is not a project archive: it does not start with {MANIFEST}."
                        )
                    manifest = _manifest(tar.extractfile(info).read())
                    continue
                _unpack(tar, info, manifest, seen, folder)
    except ArchiveError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ArchiveError(f"{archive.name} is truncated or damaged ({exc or type(exc).__name__}).") from exc
    if manifest is None:
        raise ArchiveError(f"{archive.name} is not a project archive: it is empty.")
    missing = sorted(set(manifest["files"]) - seen)
    if missing:
        raise ArchiveError(f"{archive.name} lacks members its manifest lists: {', '.join(missing[:5])}.")
    absent = sorted(required - seen)
    if absent:
        raise ArchiveError(f"{archive.name} lacks members every archive has: {', '.join(absent[:5])}.")
    return manifest


def _unpack(tar: tarfile.TarFile, info: tarfile.TarInfo, manifest: dict, seen: set[str], folder: Path) -> None:
    name = info.name
    expected = manifest["files"].get(name)
    if expected is None:
        raise ArchiveError(f"The archive holds {name!r}, which its manifest does not list.")
    if name in seen:
        raise ArchiveError(f"The archive holds {name!r} twice.")
    if not info.isfile():
        raise ArchiveError(f"{name!r} in the archive is not a plain file.")
    top, _, rest = name.partition("/")
    if name not in {SCHEMA, SECRET} and (top not in {SYSTEM, ITEMS, FILES} or not _SEGMENT.match(rest)):
        raise ArchiveError(f"{name!r} is no member a project archive has.")
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    source = tar.extractfile(info)
    with open(target, "wb") as handle:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            handle.write(chunk)
    if digest.hexdigest() != expected:
        raise ArchiveError(f"{name!r} does not match its checksum: the archive was changed or damaged.")
    seen.add(name)


def _manifest(data: bytes) -> dict:
    try:
        manifest = json.loads(data)
    except ValueError as exc:
        raise ArchiveError(f"{MANIFEST} is not JSON.") from exc
    if not isinstance(manifest, dict):
        raise ArchiveError(f"{MANIFEST} is not a JSON object.")
    version = manifest.get("format")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ArchiveError(f"{MANIFEST} has no format version this server knows ({version!r}).")
    if version > FORMAT:
        raise ArchiveError(
            f"The archive has format {version}, newer than this server reads ({FORMAT}): "
            "import it with a newer version of this server."
        )
    if version != FORMAT:
        raise ArchiveError(f"The archive has format {version}, which this server does not know.")
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v) for k, v in files.items()
    ):
        raise ArchiveError(f"{MANIFEST} does not list its members with their SHA-256.")
    if not isinstance(manifest.get("rows", {}), dict):
        raise ArchiveError(f"{MANIFEST} has rows that are not an object.")
    return manifest
