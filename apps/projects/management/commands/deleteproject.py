from django.core.management.base import BaseCommand, CommandError

from apps.projects.services import ProjectError, delete_project


class Command(BaseCommand):
    help = "Remove a project from the registry; its database too with --drop-database."

    def add_arguments(self, parser):
        parser.add_argument("key")
        parser.add_argument("--drop-database", action="store_true", help="Also drop the project's database.")

    def handle(self, *args, **options):
        try:
            delete_project(options["key"], drop_database=options["drop_database"])
        except ProjectError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Deleted project '{options['key']}'."))
