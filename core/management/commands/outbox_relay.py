import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.outbox_relay import RELAY_POLL_SECONDS, outbox_relay_run, relay_follow


class Command(BaseCommand):
    help = (
        "Relay committed outbox events to Celery. With --follow: run until stopped, relaying every "
        "--poll seconds (20 ms) whatever has committed since; without: relay once and exit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--follow", action="store_true", help="relay until stopped (SIGTERM/SIGINT)")
        parser.add_argument("--listen", action="store_true", help="the former name of --follow (kept for old configs)")
        parser.add_argument("--poll", type=float, default=RELAY_POLL_SECONDS, help="seconds between relay runs")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["follow"] or options["listen"]):
            self.stdout.write(f"published {outbox_relay_run()} event(s)")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())

        def following() -> None:  # on stdout whatever LOG_LEVEL says: the bench and operators wait for it
            self.stdout.write(f"Outbox relay: following the outbox every {options['poll']:g} s")
            self.stdout.flush()

        relay_follow(poll_seconds=max(0.005, options["poll"]), stop=stop, on_start=following)
