"""What an uploaded file is, decided from its content (never from the client's name or header):
MIME type, size, md5, image dimensions, IPTC text, duration.

    facts = analyse(fileobj, client_name="photo.jpg")
    facts.type, facts.width, facts.checksum, facts.extension ...

Images are identified by Pillow, restricted to the formats it decodes safely, and checked for
corruption without decoding them whole (PNG/GIF: chunk verification; JPEG: a reduced-size
decode). Other binary formats come from a small magic-number table; text is told apart from
binary, and HTML/SVG/XML are recognised so that they are never served inline (deviation 14)."""

import contextlib
import hashlib
import json
import mimetypes
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from PIL import Image, IptcImagePlugin, UnidentifiedImageError

from apps.core import errors

HEAD = 4096
CHUNK = 64 * 1024
# Formats Pillow may identify an upload as (it would otherwise try loosely-checked ones like TGA).
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF", "ICO", "PSD", "AVIF")
IMAGE_MIME = {"MPO": "image/jpeg"}
# Signatures of the image formats above: content that starts so must decode as an image.
# (Only strong ones: TIFF-based camera formats and text starting with "BM" are not images here.)
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")

# Preferred extension per type (the disk name carries the extension of what the file is).
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/bmp": "bmp",
    "image/tiff": "tif",
    "image/x-icon": "ico",
    "image/vnd.adobe.photoshop": "psd",
    "image/avif": "avif",
    "image/heic": "heic",
    "image/svg+xml": "svg",
    "text/html": "html",
    "application/xml": "xml",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "application/gzip": "gz",
    "application/x-7z-compressed": "7z",
    "application/vnd.rar": "rar",
    "application/rtf": "rtf",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "audio/flac": "flac",
    "audio/mp4": "m4a",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-msvideo": "avi",
    "video/3gpp": "3gp",
    "text/plain": "txt",
}
EXTRA_EXTENSIONS = {"image/jpeg": {"jpeg", "jpe"}, "image/tiff": {"tiff"}, "text/html": {"htm"}}
HTML_MARKERS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<meta",
    b"<form",
    b"<style",
    b"<title",
    b"<a ",
    b"<img",
    b"<div",
    b"<table",
    b"<br",
    b"<p>",
    b"<h1",
    b"<font",
    b"<b>",
)
# Text types an extension may name when the content is plain text.
TEXT_BY_EXTENSION = frozenset(
    {"application/json", "application/ld+json", "application/x-yaml", "application/yaml", "application/rtf"}
)
# Binary containers whose exact type only the extension tells (office documents, archives).
ZIP_FAMILY = frozenset({"application/epub+zip", "application/java-archive"})
OLE_PREFIXES = ("application/msword", "application/vnd.ms-", "application/vnd.visio")


@dataclass
class Facts:
    type: str
    charset: str
    filesize: int
    checksum: str
    extension: str
    width: int | None = None
    height: int | None = None
    duration: int = 0
    iptc: dict = field(default_factory=dict)

    @property
    def is_image(self) -> bool:
        return self.type.startswith("image/")


def client_extension(name: str) -> str:
    suffix = PurePosixPath(str(name or "").replace("\\", "/")).suffix.lower().lstrip(".")
    return suffix if re.fullmatch(r"[a-z0-9]{1,10}", suffix or "") else ""


def analyse(fileobj, client_name: str = "") -> Facts:
    """Facts about the whole content of `fileobj` (a seekable binary file)."""
    fileobj.seek(0)
    digest = hashlib.md5(usedforsecurity=False)
    size = 0
    head = b""
    while chunk := fileobj.read(CHUNK):
        if len(head) < HEAD:
            head += chunk[: HEAD - len(head)]
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    extension = client_extension(client_name)
    facts = Facts("application/octet-stream", "binary", filesize=size, checksum=digest.hexdigest(), extension="")
    if size == 0:
        facts.type, facts.extension = "application/x-empty", extension
        return facts
    if not _identify_image(fileobj, head, facts):
        facts.type, facts.charset = _magic(head, extension)
    facts.extension = extension_for(facts.type, extension)
    if facts.type.startswith(("audio/", "video/")):
        facts.duration = _duration(fileobj)
    fileobj.seek(0)
    return facts


# -- images -----------------------------------------------------------------------------------


def _identify_image(fileobj, head: bytes, facts: Facts) -> bool:
    looks_like_image = head.startswith(IMAGE_SIGNATURES) or _is_riff(head, b"WEBP")
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(fileobj, formats=IMAGE_FORMATS)
    except Image.DecompressionBombError:
        # Far too many pixels to ever decode: kept as the image it claims to be, without
        # dimensions; thumbnails of it are refused.
        facts.type = _signature_type(head)
        return True
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        if looks_like_image:
            raise errors.InvalidRequest("data: the file is a corrupt or unsupported image") from None
        return False
    with image:
        image_format = image.format or ""
        facts.type = IMAGE_MIME.get(image_format) or Image.MIME.get(image_format) or "application/octet-stream"
        facts.width, facts.height = image.size
        _check_image(image, image_format)
        facts.iptc = _iptc(image) if image_format in {"JPEG", "MPO", "TIFF"} else {}
    return True


def _check_image(image, image_format: str) -> None:
    """Refuse images whose data is broken, without decoding large ones whole."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            if image_format in {"PNG", "GIF"}:
                image.verify()
            elif image_format in {"JPEG", "MPO"}:
                image.draft("L", (max(1, image.size[0] // 8), max(1, image.size[1] // 8)))
                image.load()
    except Exception:
        raise errors.InvalidRequest("data: the file is a corrupt or unsupported image") from None


def _signature_type(head: bytes) -> str:
    for signature, mime in (
        (b"\x89PNG", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF8", "image/gif"),
        (b"BM", "image/bmp"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
        (b"8BPS", "image/vnd.adobe.photoshop"),
    ):
        if head.startswith(signature):
            return mime
    return "image/webp" if _is_riff(head, b"WEBP") else "application/octet-stream"


def _iptc(image) -> dict:
    try:
        info = IptcImagePlugin.getiptcinfo(image) or {}
    except Exception:
        return {}

    def text(key):
        value = info.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        return value.decode("utf-8", "replace").strip() if isinstance(value, bytes) else None

    found = {}
    if title := text((2, 5)):
        found["title"] = title
    if description := text((2, 120)):
        found["description"] = description
    keywords = info.get((2, 25))
    if keywords:
        values = keywords if isinstance(keywords, list) else [keywords]
        found["tags"] = [value.decode("utf-8", "replace").strip() for value in values if value]
    location = [part for part in (text((2, 90)), text((2, 95)), text((2, 101))) if part]
    if location:
        found["location"] = ", ".join(location)
    return found


# -- everything else --------------------------------------------------------------------------


def _is_riff(head: bytes, kind: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == kind


def _by_extension(extension: str) -> str | None:
    return mimetypes.guess_type(f"file.{extension}")[0] if extension else None


def _magic(head: bytes, extension: str) -> tuple[str, str]:
    """(type, charset) of non-image content."""
    guessed = _by_extension(extension) or ""
    if head.startswith(b"%PDF-"):
        return "application/pdf", "binary"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if guessed.startswith("application/vnd.") or guessed in ZIP_FAMILY:
            return guessed, "binary"
        return "application/zip", "binary"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return (guessed if guessed.startswith(OLE_PREFIXES) else "application/x-ole-storage"), "binary"
    if head.startswith(b"\x1f\x8b"):
        return "application/gzip", "binary"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "application/x-7z-compressed", "binary"
    if head.startswith(b"Rar!\x1a\x07"):
        return "application/vnd.rar", "binary"
    if head.startswith(b"{\\rtf"):
        return "application/rtf", "binary"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] in (0xFB, 0xF3, 0xF2)):
        return "audio/mpeg", "binary"
    if head.startswith(b"fLaC"):
        return "audio/flac", "binary"
    if head.startswith(b"OggS"):
        return ("video/ogg" if extension == "ogv" else "audio/ogg"), "binary"
    if _is_riff(head, b"WAVE"):
        return "audio/wav", "binary"
    if _is_riff(head, b"AVI "):
        return "video/x-msvideo", "binary"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return ("video/x-matroska" if extension == "mkv" else "video/webm"), "binary"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"M4A") or brand.startswith(b"M4B"):
            return "audio/mp4", "binary"
        if brand == b"qt  ":
            return "video/quicktime", "binary"
        if brand in {b"heic", b"heix", b"mif1", b"msf1"}:
            return "image/heic", "binary"
        if brand.startswith(b"3gp"):
            return "video/3gpp", "binary"
        return "video/mp4", "binary"
    text = _as_text(head)
    if text is None:
        return "application/octet-stream", "binary"
    charset = "us-ascii" if text.isascii() else "utf-8"
    lowered = head.lower()
    stripped = lowered.lstrip(b"\xef\xbb\xbf \t\r\n")
    has_html = any(marker in lowered for marker in HTML_MARKERS)
    if b"<svg" in lowered and not has_html:
        return "image/svg+xml", charset
    if has_html or b"<svg" in lowered:
        return "text/html", charset
    if stripped.startswith(b"<?xml"):
        return "application/xml", charset
    by_extension = guessed.startswith("text/") or guessed in TEXT_BY_EXTENSION
    if by_extension and guessed not in {"text/html", "text/xml", "image/svg+xml"}:
        return guessed, charset
    if guessed == "application/json" or _is_json(head):
        return "application/json", charset
    return "text/plain", charset


def _as_text(head: bytes) -> str | None:
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still text.
        if exc.start >= len(head) - 3:
            return head[: exc.start].decode("utf-8", "ignore")
        return None


def _is_json(head: bytes) -> bool:
    if not head.lstrip().startswith((b"{", b"[")):
        return False
    with contextlib.suppress(ValueError):
        json.loads(head)
        return True
    return False


def extension_for(mime: str, extension: str) -> str:
    """The client's extension when it names this type, else the type's own one."""
    if extension and (_by_extension(extension) == mime or extension in EXTRA_EXTENSIONS.get(mime, ())):
        return extension
    if extension and mime == "application/octet-stream":
        return extension  # unknown binary: the name is all there is
    return EXTENSIONS.get(mime) or (mimetypes.guess_extension(mime) or "").lstrip(".") or ""


def _duration(fileobj) -> int:
    """Seconds of audio/video, via ffprobe when it is installed (else 0)."""
    ffprobe = shutil.which("ffprobe")
    name = getattr(fileobj, "name", None)
    if not ffprobe or not isinstance(name, str):
        return 0
    try:
        result = subprocess.run(
            [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", name],
            capture_output=True,
            timeout=10,
            check=False,
        )
        return int(float(result.stdout.decode().strip() or 0))
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return 0
