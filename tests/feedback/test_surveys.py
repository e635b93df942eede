"""Surveys: invitations from events, the per-customer frequency cap, answering once, keyword tags
that work for Chinese, NPS per branch and segment, and the audited CSV export."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Customer, StaffRole
from core.models import AuditEvent, OutboxEvent
from core.outbox import outbox_event_deliver
from feedback.models import SurveyInvitation, SurveyKeywordList, SurveyResponse
from feedback.selectors_surveys import nps_by_period, survey_response_qs_for_staff
from feedback.services.surveys import keyword_tags, survey_answer, survey_invite, surveys_signup_invite
from feedback.services.tickets import ticket_status_change
from tests.accounts.conftest import admin_client_for, bearer_client
from tests.evidence.world import fund, make_actor
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.feedback.factories_tickets import complaint, invitation

pytestmark = pytest.mark.django_db


def _event(topic: str, payload: dict) -> OutboxEvent:  # type: ignore[type-arg]
    return OutboxEvent.objects.create(topic=topic, payload=payload)


# --- triggers -----------------------------------------------------------------------------------
def test_a_resolved_ticket_invites_to_csat_through_the_outbox_consumer() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer)
    ticket_status_change(
        staff=StaffFactory(roles=[StaffRole.CUSTOMER_SERVICE], branch=customer.home_branch),
        ticket=ticket,
        status="RESOLVED",
    )
    event = OutboxEvent.objects.get(topic="feedback.ticket_resolved")

    assert outbox_event_deliver(event_id=event.pk, consumer="feedback.survey_on_ticket_resolved") is True
    assert outbox_event_deliver(event_id=event.pk, consumer="feedback.survey_on_ticket_resolved") is False

    (inv,) = SurveyInvitation.objects.filter(customer=customer)
    assert (inv.kind, inv.trigger, inv.trigger_ref) == ("CSAT", "TICKET_RESOLVED", str(ticket.public_id))


def test_a_campaign_reward_invites_once_per_campaign() -> None:
    customer = CustomerFactory()
    payload = {
        "customer_id": str(customer.public_id),
        "campaign": "SPRING-2026",
        "amount": {"amount": "5.00", "currency": "CNY"},
    }

    outbox_event_deliver(event_id=_event("promotion.reward_granted", payload).pk, consumer="feedback.survey_on_reward")

    assert list(SurveyInvitation.objects.values_list("trigger", "trigger_ref")) == [("CAMPAIGN_REWARD", "SPRING-2026")]


def test_a_payment_event_of_a_customer_with_an_earlier_payment_invites_nobody() -> None:
    from core.money import Money
    from payments.ledger import Leg, transfer_post, wallet_get_or_create

    actor = make_actor()
    wallet = fund(actor)
    other = wallet_get_or_create(customer=CustomerFactory(), currency="CNY")
    first = transfer_post(
        kind="P2P",
        legs=[Leg(wallet, Money(-1_00, "CNY")), Leg(other, Money(1_00, "CNY"))],
        reference="T1",
        initiated_by=actor.customer,
    )
    second = transfer_post(
        kind="P2P",
        legs=[Leg(wallet, Money(-1_00, "CNY")), Leg(other, Money(1_00, "CNY"))],
        reference="T2",
        initiated_by=actor.customer,
    )

    def payload(t):  # type: ignore[no-untyped-def]
        return {
            "transfer_id": str(t.public_id),
            "payer": str(actor.customer.public_id),
            "created_at": t.created_at.isoformat(),
        }

    outbox_event_deliver(
        event_id=_event("transfer.completed", payload(second)).pk, consumer="feedback.survey_on_transfer"
    )
    assert SurveyInvitation.objects.count() == 0

    outbox_event_deliver(
        event_id=_event("transfer.completed", payload(first)).pk, consumer="feedback.survey_on_transfer"
    )
    assert list(SurveyInvitation.objects.values_list("trigger", "kind")) == [("FIRST_PAYMENT", "CSAT")]


def test_thirty_days_after_sign_up_the_beat_job_invites_to_nps_once() -> None:
    customer = CustomerFactory()
    signed_up = customer.created_at

    assert surveys_signup_invite(now=signed_up + timedelta(days=29)) == 0
    assert surveys_signup_invite(now=signed_up + timedelta(days=30, hours=1)) == 1
    assert surveys_signup_invite(now=signed_up + timedelta(days=31)) == 0

    assert list(SurveyInvitation.objects.values_list("trigger", "kind")) == [("SIGNUP_30_DAYS", "NPS")]


# --- the frequency cap ----------------------------------------------------------------------------
def test_the_cap_allows_one_invitation_per_window_whatever_triggers_it(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FEEDBACK_SURVEY_MIN_DAYS_BETWEEN = 30
    customer = CustomerFactory()
    now = timezone.now()

    first = survey_invite(customer=customer, trigger="CAMPAIGN_REWARD", trigger_ref="A", now=now)
    capped = survey_invite(customer=customer, trigger="CAMPAIGN_REWARD", trigger_ref="B", now=now + timedelta(days=29))
    later = survey_invite(customer=customer, trigger="CAMPAIGN_REWARD", trigger_ref="C", now=now + timedelta(days=30))

    assert first is not None and capped is None and later is not None
    assert sorted(SurveyInvitation.objects.values_list("trigger_ref", flat=True)) == ["A", "C"]


def test_a_frozen_customer_is_not_invited() -> None:
    customer = CustomerFactory(status=Customer.Status.FROZEN)

    assert survey_invite(customer=customer, trigger="CAMPAIGN_REWARD", trigger_ref="A") is None


# --- answering ------------------------------------------------------------------------------------
def test_the_customer_lists_pending_surveys_and_answers_once() -> None:
    customer = CustomerFactory()
    inv = invitation(customer, "NPS")
    client = bearer_client(customer)

    listed = client.get("/api/v1/surveys/invitations").json()["results"]
    answer = client.post(
        f"/api/v1/surveys/invitations/{inv.public_id}/answer", {"score": 9, "comment": "很方便"}, format="json"
    )
    again = client.post(f"/api/v1/surveys/invitations/{inv.public_id}/answer", {"score": 3}, format="json")

    assert [(i["id"], i["min_score"], i["max_score"]) for i in listed] == [(str(inv.public_id), 0, 10)]
    assert answer.status_code == 201, answer.json()
    assert (again.status_code, again.json()["code"]) == (409, "survey_already_answered")
    assert client.get("/api/v1/surveys/invitations").json()["results"] == []
    assert list(SurveyResponse.objects.values_list("score", "comment", "branch_id")) == [
        (9, "很方便", customer.home_branch_id)
    ]


@pytest.mark.parametrize("kind,score", [("NPS", 11), ("NPS", -1), ("CSAT", 0), ("CSAT", 6)])
def test_a_score_out_of_range_is_a_400_and_stores_nothing(kind: str, score: int) -> None:
    customer = CustomerFactory()
    inv = invitation(customer, kind)

    response = bearer_client(customer).post(
        f"/api/v1/surveys/invitations/{inv.public_id}/answer", {"score": score}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert SurveyResponse.objects.count() == 0
    inv.refresh_from_db()
    assert inv.answered_at is None


def test_another_customers_survey_is_a_404_and_an_expired_one_a_410() -> None:
    owner, other = CustomerFactory(), CustomerFactory()
    inv = invitation(owner)
    expired = invitation(owner, days_left=-1)

    foreign = bearer_client(other).post(
        f"/api/v1/surveys/invitations/{inv.public_id}/answer", {"score": 5}, format="json"
    )
    late = bearer_client(owner).post(
        f"/api/v1/surveys/invitations/{expired.public_id}/answer", {"score": 5}, format="json"
    )

    assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")
    assert (late.status_code, late.json()["code"]) == (410, "survey_expired")
    assert SurveyResponse.objects.count() == 0


# --- tags, NPS, export ----------------------------------------------------------------------------
def test_keyword_tags_match_chinese_and_english_by_substring() -> None:
    SurveyKeywordList.objects.create(tag="transfer", keywords="转账\n到账\ntransfer")
    SurveyKeywordList.objects.create(tag="service", keywords="客服\nHotline")
    SurveyKeywordList.objects.create(tag="off", keywords="转账", active=False)

    assert keyword_tags("昨天转账两小时才到账，客服也很慢") == ["service", "transfer"]
    assert keyword_tags("The HOTLINE was busy") == ["service"]
    assert keyword_tags("界面好看") == []


def test_an_answer_is_tagged_from_the_keyword_lists() -> None:
    SurveyKeywordList.objects.create(tag="转账体验", keywords="转账")
    customer = CustomerFactory()

    response = survey_answer(customer=customer, public_id=invitation(customer).public_id, score=6, comment="转账太慢")

    assert response.tags == ["转账体验"]


def test_nps_per_month_branch_and_segment() -> None:
    here, there = BranchFactory(), BranchFactory()
    scores_here = [10, 9, 8, 3]  # 2 promoters, 1 passive, 1 detractor: NPS 25.0
    for score in scores_here:
        c = CustomerFactory(home_branch=here)
        survey_answer(customer=c, public_id=invitation(c).public_id, score=score)
    c = CustomerFactory(home_branch=there, customer_type="SMALL_BUSINESS")
    survey_answer(customer=c, public_id=invitation(c).public_id, score=0)
    c = CustomerFactory(home_branch=here)
    survey_answer(customer=c, public_id=invitation(c, "CSAT").public_id, score=5)  # CSAT: not in NPS

    rows = {(r.branch, r.segment): r for r in nps_by_period(SurveyResponse.objects.all())}

    assert {k: (r.responses, r.promoters, r.passives, r.detractors, r.nps) for k, r in rows.items()} == {
        (here.code, "INDIVIDUAL"): (4, 2, 1, 1, 25.0),
        (there.code, "SMALL_BUSINESS"): (1, 0, 0, 1, -100.0),
    }


def test_branch_staff_see_their_branchs_results_and_the_csv_export_is_audited() -> None:
    here, there = BranchFactory(), BranchFactory()
    for branch, comment in ((here, "本行"), (there, "他行")):
        c = CustomerFactory(home_branch=branch)
        survey_answer(customer=c, public_id=invitation(c).public_id, score=7, comment=comment)
    manager = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=here)
    client = admin_client_for(manager)

    assert list(survey_response_qs_for_staff(manager).values_list("comment", flat=True)) == ["本行"]
    changelist = client.get("/admin/feedback/surveyresponse/")
    nps = client.get("/admin/feedback/surveyresponse/nps/?segment=kyc_level&period=week")
    export = client.post(
        "/admin/feedback/surveyresponse/",
        {
            "action": "export_csv",
            "_selected_action": list(SurveyResponse.objects.values_list("pk", flat=True)),
            "select_across": "0",
        },
    )

    assert (
        changelist.status_code == 200
        and "本行" in changelist.content.decode()
        and "他行" not in changelist.content.decode()
    )
    assert nps.status_code == 200 and here.code in nps.content.decode()
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    body = export.content.decode("utf-8-sig")
    assert "本行" in body and "他行" not in body
    event = AuditEvent.objects.get(action="feedback.survey.export")
    assert (event.actor_id, event.changes["rows"]) == (manager.pk, 1)


def test_a_teller_cannot_export() -> None:
    teller = StaffFactory(roles=[StaffRole.TELLER], branch=BranchFactory())

    response = admin_client_for(teller).get("/admin/feedback/surveyresponse/")

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="feedback.survey.export").count() == 0


def test_csv_cells_cannot_start_a_formula() -> None:
    from feedback.services.surveys import survey_responses_csv

    c = CustomerFactory()
    survey_answer(customer=c, public_id=invitation(c).public_id, score=7, comment='=HYPERLINK("http://x")')
    manager = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=c.home_branch)

    body = survey_responses_csv(staff=manager, queryset=survey_response_qs_for_staff(manager))

    assert "'=HYPERLINK" in body


def test_unknown_uuid_is_404() -> None:
    response = bearer_client(CustomerFactory()).post(
        f"/api/v1/surveys/invitations/{uuid.uuid4()}/answer", {"score": 5}, format="json"
    )

    assert response.status_code == 404


def test_a_real_first_p2p_transfer_invites_through_its_own_outbox_event() -> None:
    """The payload of the payments' own event (not a hand-made one) is read correctly."""
    from tests.risk.events import p2p_real

    actor = make_actor()
    fund(actor)
    payee = CustomerFactory()
    first = p2p_real(actor.customer, payee, "1.00")
    second = p2p_real(actor.customer, payee, "2.00")

    outbox_event_deliver(event_id=second.pk, consumer="feedback.survey_on_transfer")
    assert SurveyInvitation.objects.count() == 0  # not the first payment
    outbox_event_deliver(event_id=first.pk, consumer="feedback.survey_on_transfer")

    assert list(SurveyInvitation.objects.values_list("customer_id", "trigger")) == [
        (actor.customer.pk, "FIRST_PAYMENT")
    ]
