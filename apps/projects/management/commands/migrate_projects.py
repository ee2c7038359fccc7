from django.core.management.base import BaseCommand

from apps.projects.services import migrate_all_projects


class Command(BaseCommand):
    help = "Apply pending system migrations to every project database (or to the keys given)."

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*")

    def handle(self, *args, **options):
        done = migrate_all_projects(options["keys"] or None, verbosity=options["verbosity"] - 1)
        for key in done:
            self.stdout.write(f"Migrated project '{key}'.")
        self.stdout.write(self.style.SUCCESS(f"{len(done)} project(s) up to date."))
