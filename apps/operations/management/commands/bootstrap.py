import os
import secrets

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from apps.operations.services import ProjectError, create_project, migrate_all_projects
from apps.projects.models import Project


class Command(BaseCommand):
    help = (
        "Prepare this server to run: migrate the control database and every project, and create the "
        "default project '_' with its admin on first run (credentials from DIRECTUS_ADMIN_EMAIL / "
        "DIRECTUS_ADMIN_PASSWORD, or generated and printed once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", default="_", help="Key of the project to create when missing.")

    def handle(self, *args, **options):
        call_command("migrate", database="default", interactive=False, verbosity=0)
        key = options["project"]
        try:
            migrate_all_projects()
        except ProjectError as exc:
            raise CommandError(str(exc)) from exc
        if Project.objects.filter(key=key).exists():
            self.stdout.write(f"Project '{key}' is ready.")
            return
        email = os.environ.get("DIRECTUS_ADMIN_EMAIL") or "admin@example.com"
        password = os.environ.get("DIRECTUS_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        create_project(key, admin_email=email, admin_password=password)
        self.stdout.write(self.style.SUCCESS(f"Created project '{key}'."))
        if not os.environ.get("DIRECTUS_ADMIN_PASSWORD"):
            self.stdout.write(f"Admin login: {email} / {password}  (shown once; change it after signing in)")
        else:
            self.stdout.write(f"Admin login: {email} (password from DIRECTUS_ADMIN_PASSWORD)")
