from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.operations.services import ProjectError, prepare_control_database

from ...exporting import export_project


class Command(BaseCommand):
    help = (
        "Write a whole project to one archive (.tar.gz): its schema snapshot, the rows of its system "
        "tables and collections, and its stored files, each with its SHA-256 in the manifest. The "
        "project's secret stays out unless --keep-secret is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help="the project's key")
        parser.add_argument("out", help="the archive to write (replaced when it exists), e.g. shop.tar.gz")
        parser.add_argument(
            "--keep-secret",
            action="store_true",
            help="also write the project's signing keys, so that its tokens stay valid where it is imported",
        )

    def handle(self, *args, **options):
        prepare_control_database()
        out = Path(options["out"]).resolve()
        if not out.parent.is_dir():
            raise CommandError(f"No folder {out.parent} to write the archive in.")
        try:
            exported = export_project(options["key"], out, keep_secret=options["keep_secret"])
        except ProjectError as exc:
            raise CommandError(str(exc)) from exc
        for warning in exported.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        rows = sum(exported.manifest["rows"].values())
        files = sum(1 for name in exported.manifest["files"] if name.startswith("files/"))
        self.stdout.write(
            self.style.SUCCESS(f"Exported project '{options['key']}' to {out}: {rows} rows, {files} files.")
        )
