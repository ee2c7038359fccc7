"""GET /:project/openapi.json: the OpenAPI 3.0 document of the project, as the caller sees it.

Every caller gets the system endpoints; the collections (component schemas and `/items/...`
paths) are the ones the caller's role may read, with only their readable fields. A public caller
whose role may read nothing still gets the document of the system endpoints (200, no error): the
document describes the API, and signing in goes through one of those endpoints."""

from rest_framework.response import Response

from apps.access.guard import PermissionGuard
from apps.core.views import DirectusView
from apps.projects.context import require_project
from apps.schema.cache import project_schema
from directus.conf import directus_settings

from . import builder


def _role_key(identity) -> str:
    if getattr(identity, "is_admin", False):
        return "admin"
    if identity is None or getattr(identity, "is_public", False):
        return "public"
    return f"role:{identity.role_id}"


class OpenAPIView(DirectusView):
    def get(self, request, project=None):
        identity = request.user
        current = require_project()
        schema = project_schema(current)
        visible = builder.visibility(schema.collections, PermissionGuard(identity))
        document = builder.document_for(current, schema, _role_key(identity), visible, directus_settings.API_VERSION)
        return Response(self._with_servers(document, request, current.key))

    @staticmethod
    def _with_servers(document: dict, request, key: str) -> dict:
        """The cached document with this request's server URLs (never mutates the cached one)."""
        root = (directus_settings.PUBLIC_URL or request.build_absolute_uri("/")).rstrip("/")
        paths = dict(document["paths"])
        if "/server/ping" in paths:
            paths["/server/ping"] = {**paths["/server/ping"], "servers": [{"url": root or "/"}]}
        return {**document, "servers": [{"url": f"{root}/{key}"}], "paths": paths}
