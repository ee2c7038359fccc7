from django.contrib import admin
from django.urls import include, path, register_converter

from apps.assets.views import OriginalFileView
from apps.core import middleware as core_errors
from apps.projects.converters import ProjectKeyConverter
from apps.server.views import ProjectInfoView, ProjectUpdateView
from directus.conf import directus_settings

# Routes under `/:project/`; the project middleware has already resolved (or refused) the key.
# The busiest routes come first: URL resolution walks this list in order.
project_patterns = [
    path("", include("apps.items.urls")),
    path("", ProjectInfoView.as_view(), name="project-info"),
    path("update", ProjectUpdateView.as_view()),
    path("", include("apps.auth.urls")),
    path("", include("apps.users.urls")),
    path("", include("apps.roles.urls")),
    path("", include("apps.permissions.urls")),
    path("", include("apps.settings.urls")),
    path("", include("apps.collections.urls")),
    path("", include("apps.fields.urls")),
    path("", include("apps.relations.urls")),
    path("", include("apps.snapshots.urls")),
    path("", include("apps.graphql.urls")),
    path("", include("apps.activity.urls")),
    path("", include("apps.revisions.urls")),
    path("", include("apps.files.urls")),
    path("", include("apps.folders.urls")),
    path("", include("apps.assets.urls")),
    path("", include("apps.presets.urls")),
    path("", include("apps.webhooks.urls")),
    path("", include("apps.utils.urls")),
    path("", include("apps.mail.urls")),
    path("", include("apps.scim.urls")),
    path("", include("apps.extensions.project_urls")),
    path("", include("apps.openapi.urls")),
]

register_converter(ProjectKeyConverter, "project")

# Project routes first: the converter refuses reserved names and `_...`, so the global routes
# below are still reached for those.
urlpatterns = [
    path("<project:project>/", include(project_patterns)),
    path("<project:project>", ProjectInfoView.as_view()),
    path("uploads/<project:project>/originals/<str:name>", OriginalFileView.as_view()),
    path(directus_settings.ADMIN_PATH, admin.site.urls),
    path("", include("apps.server.urls")),
    path("admin/", include("apps.server.appdir")),
    path("", include("apps.extensions.urls")),
]

handler400 = core_errors.bad_request
handler403 = core_errors.forbidden
handler404 = core_errors.not_found
handler500 = core_errors.server_error
