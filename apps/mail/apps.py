from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "apps.mail"
    label = "directus_mail"

    def ready(self):
        from apps.operations.delivery import register_queue

        from .outbox import prune, send_due

        register_queue("mail", send_due, prune)
