from django.core.management.base import BaseCommand, CommandError

from apps.operations.services import ProjectError, delete_project, prepare_control_database


class Command(BaseCommand):
    help = (
        "Remove a project from the registry. Its database is kept (it can be adopted again with "
        "createproject --existing) unless --drop-database is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("key")
        parser.add_argument(
            "--drop-database", action="store_true", help="Also drop the project's database (cannot be undone)."
        )

    def handle(self, *args, **options):
        prepare_control_database()
        try:
            delete_project(options["key"], drop_database=options["drop_database"])
        except ProjectError as exc:
            raise CommandError(str(exc)) from exc
        kept = "" if options["drop_database"] else " (its database was kept)"
        self.stdout.write(self.style.SUCCESS(f"Deleted project '{options['key']}'{kept}."))
