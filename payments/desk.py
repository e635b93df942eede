"""The payments part of the branch desk, rendered for pages that ``accounts`` owns.

``accounts`` may not import ``payments`` (the import-linter layering), yet the customer page and
the admin home page must show wallets, transactions and pending approvals. They call these
functions by dotted path from settings (``ACCOUNTS_CUSTOMER_PAGE_PANELS``,
``ADMIN_HOME_PANELS``), the same way payments calls risk and promotions through its hooks.

Contract of a panel: ``panel(*, request, customer=None) -> str`` returns safe HTML (rendered from
a template) or ``""`` when the staff member may see nothing of it. Panels only read: a GET never
creates a wallet. The caller has already checked that ``customer`` is in the staff member's scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Customer
from accounts.selectors import customer_qs_browsable, staff_is_bank_wide
from core.money import Money
from payments.models import AdjustmentRequest, BillPayment, Hold, LedgerAccount, MerchantPayment, Posting, Transfer
from payments.selectors import WALLET_KINDS, wallet_balance

RECENT_TRANSACTIONS = 10


def _money(minor: int, currency: str) -> str:
    return str(Money(minor, currency))


def _wallet_rows(request: HttpRequest, wallets: list[LedgerAccount]) -> list[dict[str, Any]]:
    can_request = request.user.has_perm("payments.add_adjustmentrequest")
    rows = []
    for wallet in wallets:
        balance = wallet_balance(wallet)
        adjust_url = ""
        if can_request and wallet.kind == LedgerAccount.Kind.CUSTOMER_WALLET:
            adjust_url = (
                f"{reverse('admin:payments_adjustmentrequest_add')}"
                f"?kind={AdjustmentRequest.Kind.MANUAL_CREDIT}&target_account={wallet.pk}&currency={wallet.currency}"
            )
        rows.append(
            {
                "wallet": wallet,
                "posted": str(balance.posted),
                "held": str(balance.pending),
                "available": str(balance.available),
                "adjust_url": adjust_url,
            }
        )
    return rows


def _refund_links(request: HttpRequest, customer: Customer) -> dict[int, str]:
    """Transfer id -> the refund page of the payment it belongs to (payments not fully refunded)."""
    if not request.user.has_perm("payments.add_refund"):
        return {}
    links: dict[int, str] = {}
    for model, name in ((MerchantPayment, "merchantpayment"), (BillPayment, "billpayment")):
        open_payments = (
            model.objects.filter(customer=customer, refunded_minor__lt=F("amount_minor"))  # type: ignore[attr-defined]
            .order_by("-id")
            .values_list("pk", "transfer_id")[:50]
        )
        for pk, transfer_id in open_payments:
            links[transfer_id] = reverse(f"admin:payments_{name}_refund", args=[pk])
    return links


def customer_panel(*, request: HttpRequest, customer: Customer) -> str:
    """Wallets with balances, the last transactions (links to each, refund where possible),
    live holds and open adjustment requests of one customer."""
    if not request.user.has_perm("payments.view_ledgeraccount"):
        return ""
    wallets = list(LedgerAccount.objects.filter(customer=customer, kind__in=WALLET_KINDS).order_by("currency", "id"))
    wallet_ids = [w.pk for w in wallets]
    postings = list(
        Posting.objects.filter(account_id__in=wallet_ids)
        .select_related("transfer", "account")
        .order_by("-id")[:RECENT_TRANSACTIONS]
    )
    refund_links = _refund_links(request, customer)
    can_view_transfer = request.user.has_perm("payments.view_transfer")
    transactions = [
        {
            "posting": p,
            "amount": _money(p.amount_minor, p.currency),
            "kind": Transfer.Kind(p.transfer.kind).label
            if p.transfer.kind in Transfer.Kind.values
            else p.transfer.kind,
            "url": reverse("admin:payments_transfer_change", args=[p.transfer_id]) if can_view_transfer else "",
            "refund_url": refund_links.get(p.transfer_id, "") if p.amount_minor < 0 else "",
        }
        for p in postings
    ]
    holds = [
        {"hold": h, "amount": _money(h.amount_minor - h.captured_minor, h.currency)}
        for h in Hold.objects.filter(account_id__in=wallet_ids, status=Hold.Status.AUTHORIZED).order_by("-id")[:20]
    ]
    touched = Transfer.objects.filter(postings__account_id__in=wallet_ids).values("pk")
    requests = [
        {"adjustment": a, "amount": _money(a.amount_minor, a.currency)}
        for a in AdjustmentRequest.objects.filter(status=AdjustmentRequest.Status.PENDING)
        .filter(Q(target_account_id__in=wallet_ids) | Q(target_transfer_id__in=touched))
        .select_related("maker")
        .order_by("deadline")[:20]
    ]
    return render_to_string(
        "admin/payments/desk_customer_panel.html",
        {
            "wallets": _wallet_rows(request, wallets),
            "transactions": transactions,
            "holds": holds,
            "requests": requests,
            "history_url": f"{reverse('admin:payments_posting_changelist')}?account__customer__id__exact={customer.pk}",
        },
        request=request,
    )


def approval_queue(*, request: HttpRequest, customer: Customer | None = None) -> str:
    """Pending adjustment requests the staff member may decide (not their own), soonest deadline
    first, with approve and reject buttons that post to the adjustment requests' admin actions."""
    user = request.user
    if not user.has_perm("payments.approve_adjustment"):
        return ""
    qs = AdjustmentRequest.objects.filter(status=AdjustmentRequest.Status.PENDING).exclude(maker_id=user.pk)
    if not staff_is_bank_wide(user):
        visible = customer_qs_browsable(request).values("pk")
        touched = Transfer.objects.filter(postings__account__customer__in=visible).values("pk")
        qs = qs.filter(Q(target_account__customer__in=visible) | Q(target_transfer__in=touched)).distinct()
    pending = [
        {
            "adjustment": a,
            "amount": _money(a.amount_minor, a.currency),
            "customer": a.target_account.customer if a.target_account is not None else None,
        }
        for a in qs.select_related("maker", "target_account__customer").order_by("deadline")[:20]
    ]
    return render_to_string(
        "admin/payments/desk_approval_queue.html",
        {"pending": pending, "action_url": reverse("admin:payments_adjustmentrequest_changelist")},
        request=request,
    )
