import os
from collections.abc import Iterator
from contextlib import contextmanager

from apps.core import errors
from apps.core.handlers import json_error_response
from apps.core.local import request_local
from directus.conf import directus_settings

from .context import _current
from .models import RESERVED_KEYS, UPLOADS_PREFIX
from .registry import get_project


def project_key_from_path(path: str) -> str | None:
    """The first path segment when it can name a project (the second one of a file URL,
    `/uploads/<project>/...`); None for global routes."""
    segments = path.lstrip("/").split("/", 2)
    segment = segments[1] if segments[0] == UPLOADS_PREFIX and len(segments) > 2 else segments[0]
    if not segment or segment in RESERVED_KEYS:
        return None
    if segment.startswith("_") and segment != "_":
        return None  # our own routes: the operators' admin, static files
    return segment


@contextmanager
def serving(project) -> Iterator[None]:
    """One request's context: `project` as the current project, and a fresh request memo."""
    token = _current.set(project)
    try:
        with request_local():
            yield
    finally:
        _current.reset(token)


class ProjectMiddleware:
    """Resolves `/:project/...` into the current project for the lifetime of the request.

    Unknown keys answer 401 code 3, as Directus 8 does; maintenance mode answers 503 code 21.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = project_key_from_path(request.path_info)
        request.project = None
        if key is None:
            return self.get_response(request)
        if os.path.exists(directus_settings.MAINTENANCE_FLAG):
            return json_error_response(errors.Maintenance())
        project = get_project(key)
        if project is None:
            return json_error_response(errors.Unauthorized())
        request.project = project
        with serving(project):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The project was consumed here; views take only their own URL arguments.
        view_kwargs.pop("project", None)
