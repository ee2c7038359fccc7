"""Global extension listings (`/interfaces`, `/layouts`, `/modules`, `/types`) and the dispatcher
of custom endpoints (`/:project/custom/<name>/...`), extensions.md."""

import base64
import json

from rest_framework.request import Request
from rest_framework.views import APIView

from apps.auth.authentication import DirectusAuthentication, credential_from_request
from apps.auth.identity import public_identity
from apps.core import errors
from apps.core.handlers import json_error_response
from apps.core.local import request_local
from apps.core.views import DirectusView
from apps.projects.context import using_project
from apps.projects.registry import get_project

from . import registry, services


def _jwt_project_claim(token: str) -> str | None:
    """The `project` claim of a JWT, read without verifying it: it only chooses the project whose
    secret then verifies the token (authentication)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError):
        return None
    project = claims.get("project") if isinstance(claims, dict) else None
    return project if isinstance(project, str) and project else None


def project_key_of(request) -> str | None:
    """README § URL layout: the JWT's `project` claim, `?project=`, or `X-Directus-Project`."""
    credential = credential_from_request(request)
    if credential is not None and credential[0] == "token":
        claimed = _jwt_project_claim(credential[1])
        if claimed:
            return claimed
    return request.GET.get("project") or request.META.get("HTTP_X_DIRECTUS_PROJECT") or None


class GlobalProjectView(DirectusView):
    """A global route that needs a project database and an authenticated, non-public user."""

    def dispatch(self, request, *args, **kwargs):
        try:
            key = project_key_of(request)
        except errors.DirectusError as error:
            return self._fail(request, error)
        if not key:
            return self._fail(request, errors.UserNotAuthenticated())
        project = get_project(key)
        if project is None:
            return self._fail(request, errors.Unauthorized())
        request.project = project
        with using_project(project), request_local():
            return super().dispatch(request, *args, **kwargs)

    def _fail(self, request, error):
        # Before DRF's dispatch there is no DRF request yet: answer the error body directly.
        return json_error_response(error)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user.is_public:
            raise errors.UserNotAuthenticated()


class InterfacesView(GlobalProjectView):
    def get(self, request):
        return self.respond(services.installed("interfaces"))


class LayoutsView(GlobalProjectView):
    def get(self, request):
        return self.respond(services.installed("layouts"))


class ModulesView(GlobalProjectView):
    def get(self, request):
        return self.respond(services.installed("modules"))


class TypesView(GlobalProjectView):
    def get(self, request):
        return self.respond(services.types())


def _is_drf_view(callback) -> bool:
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


def custom_endpoint(request, name: str, rest: str = ""):
    """/:project/custom/<name>/<rest>: the registered endpoint that matches, or 404 code 1."""
    match = registry.resolve(name, rest)
    if match is None:
        return json_error_response(errors.RouteNotFound())
    callback = match.func
    if not _is_drf_view(callback):
        try:
            identity = Request(request, authenticators=[DirectusAuthentication()]).user
        except errors.DirectusError as error:
            return json_error_response(error)
        request.directus_identity = identity if identity is not None else public_identity()
    try:
        return callback(request, *match.args, **match.kwargs)
    except errors.DirectusError as error:
        return json_error_response(error)
