import sys

from django.core.management.base import CommandError

from ...apply import OPERATOR, apply_snapshot
from ..base import ProjectCommand


class Command(ProjectCommand):
    help = (
        "Make a project's data model match a snapshot (a JSON or YAML file, - for standard input): "
        "shows the changes and asks before applying them, all or nothing."
    )
    # call_command(..., stdin=...) answers the question in tests.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="the snapshot (JSON or YAML); - reads standard input")
        parser.add_argument("--dry-run", action="store_true", help="show the changes, apply nothing")
        parser.add_argument("--yes", action="store_true", help="apply without asking")
        parser.add_argument(
            "--allow-drops",
            action="store_true",
            help="drop collections and fields that hold values (refused otherwise)",
        )

    def handle(self, *args, **options):
        document = self.read(options["file"])
        stdin = options.get("stdin") or sys.stdin

        def confirm(changes) -> bool:
            self.show(changes)
            if options["dry_run"]:
                return False
            return options["yes"] or self.ask(project.key, len(changes), stdin)

        with self.project(options["key"]) as project:
            changes = apply_snapshot(document, OPERATOR, allow_drops=options["allow_drops"], confirm=confirm)
        if not changes:
            self.stdout.write("No changes.")
        elif options["dry_run"]:
            self.stdout.write("Dry run: nothing was applied.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Applied {len(changes)} change(s) to '{project.key}'."))

    def ask(self, key: str, count: int, stdin) -> bool:
        if not _interactive(stdin):
            raise CommandError("Nothing was applied: confirm with --yes where the command cannot ask.")
        self.stdout.write(f"Apply these {count} change(s) to '{key}'? [y/N] ", ending="")
        self.stdout.flush()
        if stdin.readline().strip().lower() in {"y", "yes"}:
            return True
        raise CommandError("Nothing was applied.")


def _interactive(stdin) -> bool:
    isatty = getattr(stdin, "isatty", None)
    return bool(isatty and isatty())
