"""``manage.py lottery_verify <campaign public id>``: re-run a lottery's draw from its record and
prove the same winners (exit status 1 when the record does not reproduce)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from promotions.models import Campaign
from promotions.services.lottery import lottery_draw_verify


class Command(BaseCommand):
    help = "Re-run a lottery draw from its record (seed, entries, prize table) and compare the winners."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="the campaign's public id")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(public_id=options["campaign"], kind="LOTTERY").first()
        if campaign is None:
            raise CommandError("no lottery campaign with this public id")
        result = lottery_draw_verify(campaign_id=campaign.pk)
        self.stdout.write(f"entries: {result.entries}")
        for rank, ticket, prize in result.winners:
            self.stdout.write(f"  rank {rank}: {ticket} wins {prize / 100:.2f}")
        if not result.ok:
            raise CommandError("NOT REPRODUCED: " + "; ".join(result.problems))
        self.stdout.write(self.style.SUCCESS("REPRODUCED: the record gives the same winners"))
