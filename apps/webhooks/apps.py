from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from apps.items.registry import register_listener, register_write_hooks
        from apps.operations.delivery import register_queue
        from apps.schema.signals import watch_config

        from .dispatch import listener
        from .models import Webhook
        from .queue import prune, send_due
        from .services import WebhookWriteHooks

        register_write_hooks("directus_webhooks", WebhookWriteHooks())
        register_listener(listener)  # queues a delivery per matching webhook
        watch_config(Webhook)
        register_queue("webhooks", send_due, prune)
