from django.core.management.base import BaseCommand, CommandError

from apps.operations.services import ProjectError, ProjectMigrationError, migrate_all_projects, prepare_control_database


class Command(BaseCommand):
    help = (
        "Apply pending system migrations to every project database (or to the keys given). Safe to "
        "run again: projects already up to date are left alone. A project that fails does not stop "
        "the others; the command then exits with an error naming it."
    )

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="Project keys (default: all projects).")

    def handle(self, *args, **options):
        prepare_control_database()
        try:
            done = migrate_all_projects(options["keys"] or None, verbosity=max(options["verbosity"] - 1, 0))
        except ProjectMigrationError as exc:
            self._report(exc.done)
            raise CommandError(str(exc)) from exc
        except ProjectError as exc:
            raise CommandError(str(exc)) from exc
        self._report(done)
        self.stdout.write(self.style.SUCCESS(f"{len(done)} project(s) up to date."))

    def _report(self, done):
        for key in done:
            self.stdout.write(f"Migrated project '{key}'.")
