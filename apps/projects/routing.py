"""Routes the directus_* system models and the run-time collection models to the current
project's database; Django's own tables (operators, admin, sessions) stay on `default`."""

from .context import require_project
from .registry import is_project_alias

# App labels whose models live in every project database.
PROJECT_APP_LABELS = frozenset(
    {
        "schema",
        "roles",
        "users",
        "permissions",
        "directus_settings",
        "activity",
        "revisions",
        "files",
        "folders",
        "presets",
        "webhooks",
        "directus_auth",
        # The mail queue (django-post-office): queued in the transaction of the request that
        # sends the mail (apps.mail.outbox).
        "post_office",
        # Who sends the mail queue right now (apps.mail.models).
        "directus_mail",
        # Models built at run time from directus_collections/fields (apps.schema.builder).
        "runtime",
    }
)


def is_project_model(model) -> bool:
    return model._meta.app_label in PROJECT_APP_LABELS


class ProjectRouter:
    def db_for_read(self, model, **hints):
        if is_project_model(model):
            return require_project().alias
        return None

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in PROJECT_APP_LABELS:
            return is_project_alias(db)
        return not is_project_alias(db)
