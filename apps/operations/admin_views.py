"""Read-only pages of one project's data in the operators' Django admin: its users, roles,
collections, recent activity, its queues of outgoing mail and webhook deliveries, and its schema
snapshot (shown, and downloaded as YAML or JSON).

Each page reads exactly the project named in its URL, inside `using_project` for that project,
and turns what it read into plain rows before leaving that block: nothing lazy (a queryset, a
model instance) reaches the template, where another project (or none) could be selected. The
pages only read; there is no form and no POST handling."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse

from apps.projects.context import using_project
from apps.projects.models import Project
from apps.projects.registry import ProjectConfig
from apps.snapshots.document import FORMATS, dumps
from apps.snapshots.snapshot import take_snapshot

RECENT_ACTIVITY = 50
RECENT_MAIL = 100
RECENT_DELIVERIES = 100


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    columns: tuple[str, ...]
    read: Callable[[ProjectConfig], list[tuple]]


def _role_names() -> dict[int, str]:
    from apps.roles.models import Role

    return dict(Role.objects.values_list("id", "name"))


def read_users(config: ProjectConfig) -> list[tuple]:
    from apps.users.models import User

    roles = _role_names()
    rows = User.objects.order_by("id").values_list("id", "email", "first_name", "last_name", "status", "role")
    return [
        (
            pk,
            email,
            " ".join(part for part in (first, last) if part) or "-",
            status,
            roles.get(role, f"#{role}") if role is not None else "-",
        )
        for pk, email, first, last, status, role in rows
    ]


def read_roles(config: ProjectConfig) -> list[tuple]:
    from apps.roles.models import Role
    from apps.users.models import User

    counts = dict(User.objects.values_list("role").annotate(count=Count("id")).values_list("role", "count"))
    return [(pk, name, counts.get(pk, 0)) for pk, name in Role.objects.order_by("id").values_list("id", "name")]


def read_collections(config: ProjectConfig) -> list[tuple]:
    from apps.schema.cache import project_schema

    schema = project_schema(config)
    return [
        (name, "yes" if info.managed else "no", len(info.fields)) for name, info in sorted(schema.collections.items())
    ]


def read_activity(config: ProjectConfig) -> list[tuple]:
    from apps.activity.models import Activity
    from apps.users.models import User

    rows = list(
        Activity.objects.order_by("-action_on", "-id").values_list(
            "action", "collection", "item", "action_by", "action_on"
        )[:RECENT_ACTIVITY]
    )
    user_ids = {row[3] for row in rows if row[3]}
    emails = dict(User.objects.filter(id__in=user_ids).values_list("id", "email")) if user_ids else {}
    return [
        (action, collection, item, emails.get(by, f"#{by}") if by else "(public)", when)
        for action, collection, item, by, when in rows
    ]


def read_mail(config: ProjectConfig) -> list[tuple]:
    """The newest queued and sent mails, with the last failure of each (never the bodies:
    reset and invitation links are credentials)."""
    from post_office.models import STATUS, Email, Log

    rows = list(
        Email.objects.order_by("-id").values_list(
            "id", "to", "subject", "status", "number_of_retries", "created", "scheduled_time"
        )[:RECENT_MAIL]
    )
    errors: dict[int, str] = {}
    failures = Log.objects.filter(email_id__in=[row[0] for row in rows], status=STATUS.failed).order_by("id")
    for email_id, exception_type, message in failures.values_list("email_id", "exception_type", "message"):
        errors[email_id] = f"{exception_type}: {message}"[:200]
    names = dict(Email.STATUS_CHOICES)
    return [
        (
            pk,
            ", ".join(to),
            subject,
            names.get(status, "-"),
            retries or 0,
            created,
            scheduled if status == STATUS.requeued else None,
            errors.get(pk),
        )
        for pk, to, subject, status, retries, created, scheduled in rows
    ]


def read_webhooks(config: ProjectConfig) -> list[tuple]:
    """The newest webhook deliveries (never the bodies: they carry item data)."""
    from apps.webhooks.models import Delivery

    rows = Delivery.objects.order_by("-id").values_list(
        "id", "webhook", "event", "method", "url", "status", "attempts", "created_on", "due_on", "last_error"
    )[:RECENT_DELIVERIES]
    return [
        (pk, hook, event, method, url, status, attempts, created, due if status == Delivery.QUEUED else None, error)
        for pk, hook, event, method, url, status, attempts, created, due, error in rows
    ]


SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        Section("users", "Users", ("ID", "Email", "Name", "Status", "Role"), read_users),
        Section("roles", "Roles", ("ID", "Name", "Users"), read_roles),
        Section("collections", "Collections", ("Name", "Managed", "Fields"), read_collections),
        Section(
            "activity",
            f"Recent activity (last {RECENT_ACTIVITY})",
            ("Action", "Collection", "Item", "User", "When"),
            read_activity,
        ),
        Section(
            "mail",
            f"Mail queue (last {RECENT_MAIL})",
            ("ID", "To", "Subject", "Status", "Retries", "Queued", "Next attempt", "Last failure"),
            read_mail,
        ),
        Section(
            "webhooks",
            f"Webhook deliveries (last {RECENT_DELIVERIES})",
            ("ID", "Webhook", "Event", "Method", "URL", "Status", "Attempts", "Queued", "Next attempt", "Last error"),
            read_webhooks,
        ),
    )
}


def _registered_project(model_admin, request, key: str) -> Project:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    # The registry row itself, not the per-process cache: a project deleted a moment ago is gone.
    project = Project.objects.using("default").filter(key=key).first()
    if project is None:
        raise Http404(f"Unknown project '{key}'.")
    return project


def _project_page(model_admin, request, project: Project, template: str, **context) -> TemplateResponse:
    """An admin page about one project, with the admin's own context and the project's sections."""
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "subtitle": None,
        "project": project,
        "sections": list(SECTIONS.values()),
        **context,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, template, context)


def project_schema_view(model_admin, request, key: str):
    """The project's schema snapshot as YAML; `?download=yaml|json` sends it as a file."""
    project = _registered_project(model_admin, request, key)
    download = request.GET.get("download")
    if download is not None and download not in FORMATS:
        raise Http404("Unknown format.")
    config = ProjectConfig.from_model(project)
    error, text = None, ""
    try:
        with using_project(config):
            document = take_snapshot()
    except DatabaseError as exc:
        error = f"The project's database could not be read: {exc}"
    else:
        text = dumps(document, download or "yaml")
    if download and error is None:
        response = HttpResponse(text, content_type=f"application/{download}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{config.key}-schema.{download}"'
        return response
    return _project_page(
        model_admin,
        request,
        project,
        "admin/projects/project_schema.html",
        title=f"Schema snapshot of project {config.key}",
        formats=FORMATS,
        snapshot=text,
        error=error,
    )


def project_data_view(model_admin, request, key: str, section: str):
    """One section of one project's data (wrapped in `admin_site.admin_view` by the caller)."""
    project = _registered_project(model_admin, request, key)
    described = SECTIONS.get(section)
    if described is None:
        raise Http404("Unknown section.")
    config = ProjectConfig.from_model(project)
    error = None
    rows: list[tuple] = []
    try:
        with using_project(config):
            rows = described.read(config)  # plain tuples: evaluated inside the block
    except DatabaseError as exc:
        error = f"The project's database could not be read: {exc}"
    return _project_page(
        model_admin,
        request,
        project,
        "admin/projects/project_data.html",
        title=f"{described.title} of project {config.key}",
        section=described,
        columns=described.columns,
        rows=rows,
        error=error,
    )
