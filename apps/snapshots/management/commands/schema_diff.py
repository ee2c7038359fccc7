from ...apply import OPERATOR, plan_snapshot
from ..base import ProjectCommand


class Command(ProjectCommand):
    help = "Show what applying a snapshot (a JSON or YAML file, - for standard input) would change in a project."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="the snapshot (JSON or YAML); - reads standard input")

    def handle(self, *args, **options):
        document = self.read(options["file"])
        with self.project(options["key"]):
            self.show(plan_snapshot(document, OPERATOR))
