from django.core.management.base import BaseCommand, CommandError

from apps.operations.services import prepare_control_database
from apps.projects.context import using_project
from apps.projects.registry import get_project
from apps.schema.cache import config_changed


class Command(BaseCommand):
    help = (
        "Make every worker reread a project's schema metadata and configuration (settings, roles, "
        "permissions, webhooks) on its next request; run it after editing those tables with SQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("key")

    def handle(self, *args, **options):
        prepare_control_database()
        project = get_project(options["key"])
        if project is None:
            raise CommandError(f"Unknown project '{options['key']}'.")
        with using_project(project):
            config_changed(project.alias)
        self.stdout.write(self.style.SUCCESS(f"Project '{project.key}' will be reread by every worker."))
