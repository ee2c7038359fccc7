import signal
import threading

from django.core.management.base import BaseCommand

from apps.operations.delivery import deliver_all
from directus.conf import directus_settings


class Command(BaseCommand):
    help = (
        "Send the queued mail and webhook deliveries of every project, with retries; runs until stopped "
        "(SIGTERM/SIGINT end it after the current pass), or one pass with --once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass over every project, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between passes (default DIRECTUS_DELIVERY_INTERVAL, 5).",
        )

    def handle(self, *args, **options):
        if options["once"]:
            deliver_all()
            return
        interval = options["interval"]
        if interval is None:
            interval = float(directus_settings.DELIVERY_INTERVAL)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"Delivering queued mail and webhooks every {interval:g} s")
        while not stop.is_set():
            deliver_all()
            stop.wait(interval)
