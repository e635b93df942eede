"""The risk part of the branch desk: a panel on the customer page (``ACCOUNTS_CUSTOMER_PAGE_PANELS``,
contract in ``payments/desk.py``): the customer's risk level, open case, freeze and held payments,
linking to the risk admin. Only reads; empty for staff who may not view risk cases."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Customer
from core.money import Money
from risk.models import Case, CustomerRiskProfile, RiskFreeze, RiskHold
from risk.models.precheck import RiskLevel

__all__ = ["customer_panel"]


def customer_panel(*, request: HttpRequest, customer: Customer | None = None) -> str:
    if customer is None or not request.user.has_perm("risk.view_case"):
        return ""
    profile = CustomerRiskProfile.objects.filter(customer=customer).first()
    case = Case.objects.filter(customer=customer, status=Case.Status.OPEN).first()
    freeze = RiskFreeze.objects.filter(customer=customer, status=RiskFreeze.Status.ACTIVE).first()
    holds = list(
        RiskHold.objects.filter(
            customer=customer, status__in=(RiskHold.Status.HELD, RiskHold.Status.REVERSAL_REQUESTED)
        )
    )
    context: dict[str, Any] = {
        "level": profile.get_level_display() if profile else RiskLevel.NORMAL.label,  # no row = NORMAL
        "step_up_next": bool(profile and profile.step_up_next),
        "case": case,
        "case_url": reverse("admin:risk_case_change", args=[case.pk]) if case else "",
        "freeze": freeze,
        "holds": [(h, str(Money(h.amount_minor, h.currency))) for h in holds],
        "holds_url": f"{reverse('admin:risk_riskhold_changelist')}?customer__id__exact={customer.pk}",
    }
    return render_to_string("admin/risk/desk_customer_panel.html", context, request=request)
