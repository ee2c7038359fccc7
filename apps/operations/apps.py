from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """What operators run: creating, adopting, migrating and deleting projects (services, install,
    the management commands), the delivery worker and the operators' Django admin pages."""

    name = "apps.operations"
    label = "operations"
    verbose_name = "Operations"
