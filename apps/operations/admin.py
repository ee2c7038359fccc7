"""The project registry in the operators' Django admin (mounted at /_admin/).

Adding a project here does what `createproject` does (database, system tables, fresh install or
adoption); deleting one removes the registry row only and keeps its database, like
`deleteproject` without --drop-database (its confirmation page says so). The connection URL and
the secrets cannot be changed after creation, and the secrets are never shown in full.

The "migrate" action applies pending system migrations to the selected projects' databases;
each project also has read-only pages of its users, roles, collections and recent activity, and
its schema snapshot (see `admin_views`), linked from the list and the change page."""

import contextlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.html import format_html_join

from apps.projects import databases
from apps.projects.models import Project
from apps.projects.registry import ProjectConfig, forget_project

from .admin_views import SECTIONS, project_data_view, project_schema_view
from .services import ProjectError, create_project, delete_project, migrate_project


def _masked(secret: str | None) -> str:
    if not secret:
        return "-"
    return secret[:4] + "…" + f" ({len(secret)} characters)"


class ProjectCreationForm(forms.ModelForm):
    database_url = forms.CharField(
        required=False,
        help_text="Empty: a SQLite file under the data directory. Or e.g. postgres://user:pw@host/name, "
        "mysql://root@host:3306/name.",
    )
    existing = forms.BooleanField(
        required=False, label="Adopt an existing Directus 8 database (changes none of its tables)"
    )
    admin_email = forms.EmailField(required=False, help_text="First admin (new projects).")
    admin_password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    project_name = forms.CharField(required=False)

    class Meta:
        model = Project
        fields = ["key", "database_url", "private", "storage"]

    def validate_unique(self):
        # create_project checks the key itself (and the row exists once clean() has run).
        pass

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        existing = cleaned.get("existing")
        if not existing and not (cleaned.get("admin_email") and cleaned.get("admin_password")):
            raise ValidationError("A new project needs an admin email and password.")
        try:
            self.created_project = create_project(
                cleaned["key"],
                database_url=cleaned.get("database_url") or None,
                admin_email=None if existing else cleaned.get("admin_email"),
                admin_password=None if existing else cleaned.get("admin_password"),
                project_name=None if existing else cleaned.get("project_name") or None,
                existing=bool(existing),
                private=bool(cleaned.get("private")),
                storage=cleaned.get("storage") or {},
            )
        except ProjectError as exc:
            raise ValidationError(str(exc)) from exc
        cleaned["database_url"] = self.created_project.database_url
        return cleaned


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["key", "database_engine", "private", "adopted", "created_on", "data_links"]
    list_filter = ["private", "adopted"]
    search_fields = ["key"]
    ordering = ["key"]
    actions = ["migrate"]
    delete_confirmation_template = "admin/projects/project_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/projects/project_delete_selected_confirmation.html"

    def get_urls(self):
        # Before the default URLs: their "<path:object_id>/" catch-all would take these.
        data = self.admin_site.admin_view(self.project_data)
        schema = self.admin_site.admin_view(self.project_schema)
        return [
            path("<str:key>/data/<str:section>/", data, name="projects_project_data"),
            path("<str:key>/schema/", schema, name="projects_project_schema"),
            *super().get_urls(),
        ]

    def project_data(self, request, key, section):
        return project_data_view(self, request, key, section)

    def project_schema(self, request, key):
        return project_schema_view(self, request, key)

    @admin.display(description="Project data")
    def data_links(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        links = [
            (reverse(f"{self.admin_site.name}:projects_project_data", args=[obj.key, name]), section.title)
            for name, section in SECTIONS.items()
        ]
        links.append((reverse(f"{self.admin_site.name}:projects_project_schema", args=[obj.key]), "Schema snapshot"))
        return format_html_join(" | ", '<a href="{}">{}</a>', links)

    @admin.action(description="Migrate the selected projects' databases", permissions=["change"])
    def migrate(self, request, queryset):
        for project in queryset.order_by("key"):
            try:
                output = migrate_project(ProjectConfig.from_model(project), verbosity=1)
            except Exception as exc:  # one project's failure (its server down) must not hide the others
                first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                self.message_user(
                    request,
                    f"Migrating {project.key} failed: {type(exc).__name__}: {first_line}",
                    level=messages.ERROR,
                )
                continue
            applied = sum(1 for line in output.splitlines() if line.strip().startswith("Applying "))
            if applied:
                text = f"Migrated {project.key}: {applied} migration(s) applied."
            else:
                text = f"Migrated {project.key}: already up to date."
            self.message_user(request, text, level=messages.SUCCESS)

    @admin.display(description="Database")
    def database_engine(self, obj):
        try:
            return {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MariaDB/MySQL"}[
                databases.engine_of(obj.database_url)
            ]
        except (databases.InvalidDatabaseURL, KeyError):
            return "?"

    @admin.display(description="Database URL")
    def database_url_display(self, obj):
        return databases.display_url(obj.database_url)

    @admin.display(description="Secret key")
    def secret_key_display(self, obj):
        return _masked(obj.secret_key)

    @admin.display(description="Public key")
    def public_key_display(self, obj):
        return _masked(obj.public_key)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ProjectCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["key", "database_url", "existing", "private", "storage"]}),
                ("First admin (new projects)", {"fields": ["admin_email", "admin_password", "project_name"]}),
            ]
        return [
            (None, {"fields": ["key", "database_url_display", "private", "storage"]}),
            ("Read-only", {"fields": ["adopted", "created_on", "secret_key_display", "public_key_display"]}),
            ("Project data (read-only)", {"fields": ["data_links"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "key",
            "database_url_display",
            "adopted",
            "created_on",
            "secret_key_display",
            "public_key_display",
            "data_links",
        ]

    def save_form(self, request, form, change):
        if not change:
            form.save(commit=False)  # sets up save_m2m for save_related; the row exists already
            return form.created_project
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if not change:
            for warning in getattr(obj, "warnings", []):
                self.message_user(request, warning, level=messages.WARNING)
            return  # create_project saved it
        super().save_model(request, obj, form, change)
        forget_project(obj.key)

    def delete_model(self, request, obj):
        with contextlib.suppress(ProjectError):  # already gone
            delete_project(obj.key, drop_database=False)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
