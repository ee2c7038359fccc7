"""The Directus 8 admin app at /admin/, served from DIRECTUS["APP_DIR"] (a built app: index.html
and its assets). Not configured: /admin/ answers 404 code 1, as any unknown route.

`/admin/` is index.html; `/admin/<path>` is the file at <path> under the folder. A path naming
no file falls back to index.html when its last segment has no file extension (a client-side route
of the app, e.g. /admin/#/... reloaded as /admin/collections/articles), and is a 404 otherwise.
Paths with `..`, backslashes, NUL or absolute parts are refused (404) before touching the file
system, and the resolved file must lie inside the folder (no escape through symlinks either).
Files go out through django.views.static.serve (content type, Last-Modified, If-Modified-Since)."""

import posixpath
from pathlib import Path

from django.http import Http404
from django.urls import path as route
from django.urls import re_path
from django.views.static import serve

from directus.conf import directus_settings

INDEX = "index.html"


def app_root() -> Path | None:
    configured = directus_settings.APP_DIR
    if not configured:
        return None
    root = Path(configured).resolve()
    return root if root.is_dir() else None


def _safe_relative(path: str) -> str | None:
    """The path as a clean relative POSIX path, or None when it tries to leave the folder."""
    if "\\" in path or "\x00" in path or ":" in path:
        return None
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        return None
    return posixpath.join(*parts) if parts else ""


def _inside(root: Path, relative: str) -> Path | None:
    candidate = (root / relative).resolve()
    if candidate != root and not candidate.is_relative_to(root):
        return None
    return candidate


def app_view(request, path: str = ""):
    root = app_root()
    if root is None:
        raise Http404
    relative = _safe_relative(path)
    if relative is None:
        raise Http404
    target = _inside(root, relative) if relative else None
    if target is not None and target.is_file():
        return serve(request, relative, document_root=str(root))
    last = relative.rsplit("/", 1)[-1]
    if "." in last:  # a missing file (asset), not a client-side route
        raise Http404
    if not (root / INDEX).is_file():
        raise Http404
    response = serve(request, INDEX, document_root=str(root))
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [
    route("", app_view),
    re_path(r"^(?P<path>.+)$", app_view),
]
