from pathlib import Path

from django.core.management.base import CommandError

from ...document import FORMATS, dumps
from ...snapshot import take_snapshot
from ..base import ProjectCommand


class Command(ProjectCommand):
    help = (
        "Write a project's data model (its collections, fields and relations) as a snapshot, "
        "to standard output or a file; `schema_apply` makes another project match it."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("-o", "--output", help="the file to write (default: standard output)")
        parser.add_argument(
            "--format", choices=FORMATS, help="yaml (the default) or json; a .json output file means json"
        )

    def handle(self, *args, **options):
        output = options["output"]
        fmt = options["format"] or ("json" if output and output.endswith(".json") else "yaml")
        with self.project(options["key"]):
            text = dumps(take_snapshot(), fmt)
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote the snapshot of '{options['key']}' to {output}."))
