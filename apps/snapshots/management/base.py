"""What the snapshot commands share: the project named on the command line, reading a
snapshot file, and schema errors as command errors."""

import sys
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core import errors
from apps.operations.services import prepare_control_database
from apps.projects.context import using_project
from apps.projects.registry import get_project

from ..document import loads


class ProjectCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("key", help="the project's key")

    @contextmanager
    def project(self, key: str):
        """Select the project; a refusal of the schema services is the command's error."""
        prepare_control_database()
        project = get_project(key)
        if project is None:
            raise CommandError(f"Unknown project '{key}'.")
        try:
            with using_project(project):
                yield project
        except errors.DirectusError as exc:
            raise CommandError(exc.message) from None

    def read(self, name: str):
        """The snapshot in a file (JSON or YAML), or on standard input for `-`."""
        if name == "-":
            return loads(sys.stdin.read())
        try:
            return loads(Path(name).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror or exc}") from None
        except errors.DirectusError as exc:
            raise CommandError(f"{name}: {exc.message}") from None

    def show(self, changes) -> None:
        if not changes:
            self.stdout.write("No changes.")
        for change in changes:
            self.stdout.write(change.line())
