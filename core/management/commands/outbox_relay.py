import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.outbox import NOTIFY_CHANNEL
from core.outbox_relay import outbox_relay_run, relay_listen


class Command(BaseCommand):
    help = (
        "Relay committed outbox events to Celery. With --listen: run until stopped, woken by each "
        "commit's NOTIFY (polling every --poll seconds as a fallback); without: relay once and exit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--listen", action="store_true", help="LISTEN for commits and relay until stopped")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between relays without a NOTIFY")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["listen"]:
            self.stdout.write(f"published {outbox_relay_run()} event(s)")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())

        def listening() -> None:  # on stdout whatever LOG_LEVEL says: the bench and operators wait for it
            self.stdout.write(f"Outbox relay: listening on {NOTIFY_CHANNEL}")
            self.stdout.flush()

        relay_listen(poll_seconds=max(0.01, options["poll"]), stop=stop, on_listen=listening)
