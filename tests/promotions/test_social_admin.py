"""The admin of referrals and draws: marketing sees attempts with their reasons; re-running a draw
from its record is audited and says whether it reproduced."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.models import AuditEvent
from promotions.models import LotteryDraw
from promotions.services.lottery import lottery_draw_run
from tests.factories import StaffFactory
from tests.payments.factories_movements import admin_client_for as staff_client
from tests.promotions.helpers import deliver, merchant, pay
from tests.promotions.social import (
    LOTTERY_CONSUMER,
    REGISTERED_CONSUMER,
    code_of,
    lottery_campaign,
    person,
    registered_event,
)

pytestmark = pytest.mark.django_db


def test_marketing_sees_refused_attempts_with_their_reason() -> None:
    me = person()
    deliver(registered_event(me, code=code_of(me)), REGISTERED_CONSUMER)
    client = staff_client(StaffFactory(roles=["MARKETING"], branch=None))

    page = client.get("/admin/promotions/referralattempt/")

    assert page.status_code == 200 and b"self_referral" in page.content


def test_rerunning_a_draw_from_its_record_is_audited() -> None:
    campaign = lottery_campaign()
    deliver(pay(person(funds="100.00"), merchant(), "20.00")[1], LOTTERY_CONSUMER)
    lottery_draw_run(campaign_id=campaign.pk, now=campaign.ends_at + timedelta(minutes=11))
    draw = LotteryDraw.objects.get(campaign=campaign)
    client = staff_client(StaffFactory(roles=["AUDITOR"], branch=None))

    response = client.post(
        "/admin/promotions/lotterydraw/",
        {"action": "verify_from_record", "_selected_action": [draw.pk]},
        follow=True,
    )

    assert response.status_code == 200 and "复现成功" in response.content.decode()  # the staff admin speaks zh-hans
    assert AuditEvent.objects.filter(action="promotions.lottery.verify", object_id=str(draw.pk)).exists()


def test_refusing_a_referral_in_the_admin_asks_a_reason_and_is_audited() -> None:
    from promotions.models import Referral

    referrer, referee = person(), person()
    deliver(registered_event(referee, code=code_of(referrer)), REGISTERED_CONSUMER)
    referral = Referral.objects.get(referee=referee)
    marketing = staff_client(StaffFactory(roles=["MARKETING"], branch=None))
    auditor = staff_client(StaffFactory(roles=["AUDITOR"], branch=None))
    body = {"action": "refuse_selected", "_selected_action": [referral.pk]}

    auditor_answer = auditor.post("/admin/promotions/referral/", body)
    asked = marketing.post("/admin/promotions/referral/", body)
    done = marketing.post("/admin/promotions/referral/", {**body, "apply": "1", "reason": "one household"}, follow=True)

    referral.refresh_from_db()
    assert auditor_answer.status_code in (200, 302) and b'name="reason"' not in auditor_answer.content
    assert asked.status_code == 200 and b'name="reason"' in asked.content
    assert done.status_code == 200 and (referral.status, referral.refusal_reason) == ("REFUSED", "refused_by_staff")
    assert AuditEvent.objects.filter(action="promotions.referral.refuse", object_id=str(referral.pk)).count() == 1
