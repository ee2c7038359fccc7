from django.core.management.base import BaseCommand, CommandError

from apps.operations.services import ProjectError, create_project, prepare_control_database
from apps.projects.databases import display_url


class Command(BaseCommand):
    help = (
        "Create a project: its database (SQLite under the data directory unless --database-url names "
        "another; a PostgreSQL or MariaDB database is created when it does not exist), the system "
        "tables, a fresh Directus 8 install's rows and the first admin. With --existing, adopt a "
        "database that Directus 8 created, changing none of its tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help="Project key, used as the URL prefix (/KEY/...).")
        parser.add_argument(
            "--database-url",
            help="e.g. sqlite:///path/db.sqlite3, postgres://user:pw@host:5432/name, mysql://root@host:3306/name "
            "(mariadb:// is accepted too).",
        )
        parser.add_argument("--admin-email", help="Email of the first admin (new projects).")
        parser.add_argument("--admin-password", help="Password of the first admin (new projects).")
        parser.add_argument("--admin-token", help="Static API token for the admin user.")
        parser.add_argument("--project-name", help="The project_name setting.")
        parser.add_argument("--app-url", help="The app_url setting (used in password-reset links).")
        parser.add_argument("--locale", help="The admin's locale (default en-US).")
        parser.add_argument("--timezone", help="The admin's timezone (default UTC).")
        parser.add_argument("--existing", action="store_true", help="Adopt an existing Directus 8 database.")
        parser.add_argument("--private", action="store_true", help="Hide the project from GET /server/projects.")

    def handle(self, *args, **options):
        prepare_control_database()
        if options["existing"]:
            given = [
                "--" + name.replace("_", "-")
                for name in ("admin_email", "admin_password", "admin_token", "project_name", "app_url", "locale")
                if options[name]
            ]
            if options["timezone"]:
                given.append("--timezone")
            if given:
                raise CommandError(
                    f"--existing keeps the database as it is (its users and settings); drop {', '.join(given)}."
                )
        try:
            project = create_project(
                options["key"],
                database_url=options["database_url"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                admin_token=options["admin_token"],
                project_name=options["project_name"],
                app_url=options["app_url"],
                locale=options["locale"],
                timezone_name=options["timezone"],
                existing=options["existing"],
                private=options["private"],
            )
        except ProjectError as exc:
            raise CommandError(str(exc)) from exc
        for warning in getattr(project, "warnings", []):
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        verb = "Adopted" if project.adopted else "Created"
        self.stdout.write(self.style.SUCCESS(f"{verb} project '{project.key}' ({display_url(project.database_url)})."))
