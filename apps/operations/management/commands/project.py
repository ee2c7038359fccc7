import argparse

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from apps.operations.services import prepare_control_database
from apps.projects.context import using_project
from apps.projects.registry import get_project


class Command(BaseCommand):
    help = "Run another management command inside one project: manage.py project KEY COMMAND [ARGS...]"

    def add_arguments(self, parser):
        parser.add_argument("key")
        parser.add_argument("command_name")
        # Everything after the command name belongs to it, options included (--fake, -v 2, ...).
        parser.add_argument("command_args", nargs=argparse.REMAINDER)

    def handle(self, *args, **options):
        prepare_control_database()
        project = get_project(options["key"])
        if project is None:
            raise CommandError(f"Unknown project '{options['key']}'.")
        with using_project(project):
            call_command(options["command_name"], *options["command_args"])
