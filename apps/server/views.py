"""Global routes (`/`, `/server/*`) and the project home `GET /:project/` (server.md, projects.md)."""

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.views import View

from apps.core import errors
from apps.core.views import DirectusView
from directus.conf import directus_settings

from . import services
from .appdir import app_root


class RootView(View):
    """GET /: to the admin app when one is served here (server.md); without it, a redirect
    would end in a 404, so the API answers for itself."""

    def get(self, request):
        if app_root() is not None:
            return HttpResponseRedirect("./admin/")
        return JsonResponse({"data": {"api": "directus", "version": directus_settings.API_VERSION}, "public": True})


class PingView(View):
    def get(self, request):
        return HttpResponse("pong", content_type="text/plain; charset=utf-8")


class InfoView(DirectusView):
    """GET /server/info, guarded by the super-admin token once a project exists."""

    def get(self, request):
        services.check_super_admin_token(self.query.get("super_admin_token"))
        return self.respond(services.server_info(request.META.get("SERVER_SOFTWARE")))

    def finalize_response(self, request, response, *args, **kwargs):
        # Not a role-based route: Directus answers without the `public` flag.
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(getattr(response, "data", None), dict):
            response.data.pop("public", None)
        return response


class ProjectsView(DirectusView):
    """GET /server/projects: keys of the non-private projects (none → 503 code 14).
    POST /server/projects: create a project, guarded by the super-admin token (`204`)."""

    always_public = True

    def get(self, request):
        keys = services.public_project_keys()
        if not keys:
            raise errors.NotInstalled(
                "This Directus instance has not been configured. Create a project with "
                "`manage.py createproject` or POST /server/projects."
            )
        return self.respond(keys)

    def post(self, request):
        services.create_project_from(request.data)
        return self.respond(None)


class ProjectDetailView(DirectusView):
    """DELETE /server/projects/:project?super_admin_token=...: drop the project (`204`)."""

    always_public = True

    def delete(self, request, key: str):
        token = self.query.get("super_admin_token")
        if token is None and isinstance(request.data, dict):
            token = request.data.get("super_admin_token")
        services.delete_project_named(key, token)
        return self.respond(None)


class ProjectUpdateView(DirectusView):
    """POST /:project/update: an admin applies the project's pending system migrations (`204`)."""

    def post(self, request):
        if not request.user.is_admin:
            raise errors.Unauthorized("Permission denied: Admin Only")
        services.update_project(request.project)
        return self.respond(None)


class ProjectInfoView(DirectusView):
    """GET /:project/: public branding for everyone, more for users, server details for admins."""

    def get(self, request):
        return self.respond(services.project_info(request, request.project))
