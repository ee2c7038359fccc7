"""The computed `data` object of a file row (files.md § data rules): its URLs, the thumbnails
of the asset presets, and the embed of YouTube/Vimeo files.

    builder = FileDataBuilder(request)          # or FileDataBuilder(None, project=...)
    builder.file_data(row)                      # {"full_url", "url", "asset_url", "thumbnails", "embed"}

One builder serves one request: the project settings it needs are read once, lazily."""

import html
import json
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

from django.urls import get_script_prefix

from apps.files.storage import S3, adapter_name, project_storage
from directus.conf import directus_settings

# Extensions a thumbnail can be asked for (assets.md); raster formats Pillow renders here.
THUMBNAIL_SOURCES = frozenset({"jpg", "jpeg", "gif", "png", "webp", "pdf", "psd", "tif", "tiff", "svg"})


class FileDataBuilder:
    def __init__(self, request=None, *, project=None, settings=None):
        self.request = request
        if project is None:
            project = getattr(request, "project", None)
        if project is None:
            from apps.projects.context import current_project

            project = current_project()
        self.project = project
        self._settings = settings

    @property
    def project_settings(self):
        if self._settings is None:
            from apps.schema.project_settings import load_settings

            self._settings = load_settings()
        return self._settings

    def base_url(self) -> str:
        """Scheme and host the API is reached at (`PUBLIC_URL`, else the request's host)."""
        configured = (directus_settings.PUBLIC_URL or "").rstrip("/")
        if configured:
            return configured
        if self.request is not None:
            return self.request.build_absolute_uri("/").rstrip("/")
        return ""

    @property
    def project_key(self) -> str:
        return self.project.key if self.project is not None else "_"

    def file_urls(self, row: dict) -> dict:
        """`{full_url, url, asset_url}` of a file row."""
        key = self.project_key
        storage = (self.project.storage if self.project is not None else {}) or {}
        disk_name = row.get("filename_disk") or ""
        if storage.get("proxy_downloads"):
            url = f"/downloads/{key}/{disk_name}"
        elif not storage.get("root_url") and adapter_name(storage) == S3:
            # The object's own URL in the bucket (no signature: the bucket decides who reads it).
            url = project_storage(self.project).originals.url(disk_name)
        else:
            # Local storage is served at /uploads/<project>/originals/ (apps.assets.views).
            root_url = (storage.get("root_url") or f"/uploads/{key}/originals").rstrip("/")
            url = f"{root_url}/{disk_name}"
        full_url = url if urlsplit(url).netloc else self.base_url() + url
        return {"full_url": full_url, "url": url, "asset_url": self.asset_path(row)}

    def asset_path(self, row: dict) -> str:
        if self.project_settings.get("asset_url_naming") == "filename_download":
            alias = quote(row.get("filename_download") or "")
        else:
            alias = row.get("private_hash") or ""
        return f"{get_script_prefix()}{self.project_key}/assets/{alias}"

    def file_data(self, row: dict) -> dict:
        data = self.file_urls(row)
        data["thumbnails"] = self.thumbnails(row, data["asset_url"])
        data["embed"] = embed_of(row)
        return data

    def thumbnails(self, row: dict, asset_url: str) -> list[dict] | None:
        mime = (row.get("type") or "").lower()
        extension = PurePosixPath(row.get("filename_disk") or "").suffix.lower().lstrip(".")
        is_image = mime.startswith("image") and mime != "image/svg+xml" and extension in THUMBNAIL_SOURCES
        if not (is_image or mime.startswith("embed/")):
            return None
        base = self.base_url()
        thumbnails = []
        for preset in self.asset_presets():
            relative = f"{asset_url}?key={quote(str(preset.get('key', '')))}"
            width, height = preset.get("width"), preset.get("height")
            thumbnails.append(
                {
                    "key": preset.get("key"),
                    "url": base + relative,
                    "relative_url": relative,
                    "dimension": f"{width}x{height}",
                    "width": width,
                    "height": height,
                }
            )
        return thumbnails

    def asset_presets(self) -> list[dict]:
        """Presets of `asset_whitelist_system` followed by those of `asset_whitelist`."""
        return asset_presets(self.project_settings)


def asset_presets(settings, keys=("asset_whitelist_system", "asset_whitelist")) -> list[dict]:
    presets = []
    for key in keys:
        try:
            value = json.loads(settings.get(key) or "[]")
        except ValueError:
            continue
        if isinstance(value, list):
            presets += [preset for preset in value if isinstance(preset, dict)]
    return presets


def embed_of(row: dict) -> dict | None:
    mime = (row.get("type") or "").lower()
    embed_id = html.escape(str(row.get("embed") or ""), quote=True)
    if not embed_id:
        return None
    if mime == "embed/youtube":
        return {
            "html": (
                f'<iframe width="560" height="315" src="https://www.youtube.com/embed/{embed_id}" '
                'frameborder="0" allow="accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture" '
                "allowfullscreen></iframe>"
            ),
            "url": f"https://www.youtube.com/watch?v={embed_id}",
        }
    if mime == "embed/vimeo":
        return {
            "html": (
                f'<iframe src="https://player.vimeo.com/video/{embed_id}" width="640" height="360" '
                'frameborder="0" allow="autoplay; fullscreen" allowfullscreen></iframe>'
            ),
            "url": f"https://vimeo.com/{embed_id}",
        }
    return None


def computed_data(request):
    """The `data` computed field of directus_files for the item reader: name -> function(row)."""
    builder = FileDataBuilder(request)
    return builder.file_data
