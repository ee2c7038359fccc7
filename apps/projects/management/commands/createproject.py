from django.core.management.base import BaseCommand, CommandError

from apps.projects.services import ProjectError, create_project


class Command(BaseCommand):
    help = (
        "Create a project: its database (SQLite under the data directory unless --database-url names "
        "another), the system tables, a fresh Directus 8 install's rows and the first admin. With "
        "--existing, adopt a database that Directus 8 created, changing none of its tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help="Project key, used as the URL prefix (/KEY/...).")
        parser.add_argument("--database-url", help="e.g. postgres://user:pw@host:5432/name, mysql://root@host/name")
        parser.add_argument("--admin-email")
        parser.add_argument("--admin-password")
        parser.add_argument("--admin-token", help="Static API token for the admin user.")
        parser.add_argument("--project-name")
        parser.add_argument("--existing", action="store_true", help="Adopt an existing Directus 8 database.")
        parser.add_argument("--private", action="store_true", help="Hide the project from GET /server/projects.")

    def handle(self, *args, **options):
        try:
            project = create_project(
                options["key"],
                database_url=options["database_url"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                admin_token=options["admin_token"],
                project_name=options["project_name"],
                existing=options["existing"],
                private=options["private"],
            )
        except ProjectError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Adopted" if project.adopted else "Created"
        self.stdout.write(self.style.SUCCESS(f"{verb} project '{project.key}' ({project.database_url})."))
