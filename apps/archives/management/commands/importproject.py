from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.operations.services import ProjectError, prepare_control_database
from apps.projects.databases import display_url

from ...importing import import_project


class Command(BaseCommand):
    help = (
        "Create a project from an archive of exportproject, on any engine (SQLite under the data "
        "directory unless --database-url names another), with every row under its own key and the "
        "stored files. All or nothing: when anything fails, the new project is removed again."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help="the new project's key (an existing project is refused)")
        parser.add_argument("archive", help="the archive written by exportproject")
        parser.add_argument(
            "--database-url",
            help="e.g. sqlite:///path/db.sqlite3, postgres://user:pw@host:5432/name, mysql://root@host:3306/name",
        )
        parser.add_argument(
            "--keep-secret",
            action="store_true",
            help="sign with the archived keys (exported with --keep-secret): the old project's tokens stay valid",
        )

    def handle(self, *args, **options):
        prepare_control_database()
        try:
            project = import_project(
                options["key"],
                Path(options["archive"]),
                database_url=options["database_url"],
                keep_secret=options["keep_secret"],
            )
        except ProjectError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Imported project '{project.key}' ({display_url(project.database_url)}).")
        )
