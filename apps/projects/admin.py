"""The project registry in the operators' Django admin (mounted at /_admin/).

Adding a project here does what `createproject` does (database, system tables, fresh install or
adoption); deleting one removes the registry row only and keeps its database, like
`deleteproject` without --drop-database. The connection URL and the secrets cannot be changed
after creation, and the secrets are never shown in full."""

import contextlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import databases
from .models import Project
from .registry import forget_project
from .services import ProjectError, create_project, delete_project


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
    list_display = ["key", "database_engine", "private", "adopted", "created_on"]
    list_filter = ["private", "adopted"]
    search_fields = ["key"]
    ordering = ["key"]

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
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["key", "database_url_display", "adopted", "created_on", "secret_key_display", "public_key_display"]

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
