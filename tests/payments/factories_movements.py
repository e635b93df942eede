"""Helpers of the money-movement tests: merchants, billers, FX rates, gateway callbacks, balances."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Customer, LinkedCard
from core.money import Money
from payments.billers import luhn_check_digit
from payments.integrations import SimulatedCoreBankingGateway
from payments.ledger import account_balance
from payments.models import Biller, FxRate, LedgerAccount, Merchant, MerchantOrder
from payments.services.bills import biller_create
from payments.services.merchant_payments import merchant_create, merchant_order_create
from tests.factories import PAYMENT_PIN, BranchFactory, LinkedCardFactory

ELECTRICITY_ACCOUNT = "123456789" + luhn_check_digit("123456789")


def staff_roles_ensure() -> None:
    """Role groups and their permissions come from data migrations (accounts 0002, payments 0004).
    A ``transaction=True`` test anywhere in the run flushes them: put them back."""
    from importlib import import_module

    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    if Group.objects.filter(name="ADMINISTRATOR", permissions__codename="approve_adjustment").exists():
        return
    for app_config in django_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for module in ("accounts.migrations.0002_kyc_tiers_and_roles", "payments.migrations.0004_movement_roles"):
        for role, perms in import_module(module).ROLE_PERMISSIONS.items():
            group, _created = Group.objects.get_or_create(name=role)
            for app_label, codename in perms:
                group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


def balance(account: LedgerAccount) -> int:
    """Posted balance in minor units (hot accounts included: checkpoint + deltas)."""
    return account_balance(account).posted.minor


def available(account: LedgerAccount) -> int:
    return account_balance(account).available.minor


def wallet_of(customer: Customer, currency: str = "CNY") -> LedgerAccount:
    return LedgerAccount.objects.get(customer=customer, currency=currency, kind=LedgerAccount.Kind.CUSTOMER_WALLET)


def card_for(customer: Customer) -> LinkedCard:
    return LinkedCardFactory(customer=customer)


def merchant_make(name: str = "星巴克咖啡", mcc: str = "5814", currencies: list[str] | None = None) -> Merchant:
    with transaction.atomic():
        return merchant_create(name=name, mcc=mcc, signing_branch=BranchFactory(), currencies=currencies)


def order_make(merchant: Merchant, amount: str = "88.80", seconds: int = 300) -> MerchantOrder:
    return merchant_order_create(
        merchant=merchant, amount=Money.parse(amount, "CNY"), expires_at=timezone.now() + timedelta(seconds=seconds)
    )


def biller_make(code: str = "SGCC-BJ", category: str = "ELECTRICITY", validator: str = "electricity") -> Biller:
    with transaction.atomic():
        return biller_create(code=code, name="国网北京电力", category=category, validator=validator)


def fx_rate_make(base: str = "USD", quote: str = "CNY", mid: str = "7.1000", spread_bps: int = 50) -> FxRate:
    return FxRate.objects.create(
        base=base,
        quote=quote,
        mid_rate=Decimal(mid),
        spread_bps=spread_bps,
        valid_from=timezone.now() - timedelta(minutes=1),
        status=FxRate.Status.APPROVED,
    )


def post_money(client: APIClient, url: str, body: dict[str, Any], key: str | None = None) -> Any:
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def deliver_callbacks(client: APIClient, reference: str) -> list[Any]:
    """Post every callback the simulated bank has for ``reference`` to the callback endpoint."""
    responses = []
    for body, signature in SimulatedCoreBankingGateway().pending_callbacks(reference=reference):
        responses.append(
            client.post(
                "/api/v1/gateway/callbacks", body, content_type="application/json", HTTP_X_GATEWAY_SIGNATURE=signature
            )
        )
    return responses


__all__ = [
    "ELECTRICITY_ACCOUNT",
    "PAYMENT_PIN",
    "available",
    "balance",
    "biller_make",
    "card_for",
    "deliver_callbacks",
    "fx_rate_make",
    "merchant_make",
    "order_make",
    "post_money",
    "staff_roles_ensure",
    "wallet_of",
]


def admin_client_for(user: Any) -> Any:
    """A Django test client logged in to the staff admin as ``user``, TOTP verified."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="pytest", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# --- owner-object factories for the authorization matrix (tests/evidence) -------------------------
def _owned_topup(owner: Any) -> dict[str, Any]:
    from payments.models import TopUp
    from payments.services.funding import _reference

    wallet = LedgerAccount.objects.get(customer=owner.customer, currency="CNY", kind=LedgerAccount.Kind.CUSTOMER_WALLET)
    topup = TopUp.objects.create(
        reference=_reference("TU"),
        customer=owner.customer,
        card=card_for(owner.customer),
        wallet=wallet,
        amount_minor=1_00,
        currency="CNY",
    )
    owner.secrets.add(str(topup.public_id))
    return {"public_id": topup.public_id}


def _owned_withdrawal(owner: Any) -> dict[str, Any]:
    from payments.services.funding import withdrawal_create

    with transaction.atomic():
        withdrawal = withdrawal_create(
            customer=owner.customer, card_public_id=card_for(owner.customer).public_id, amount=Money(1_00, "CNY")
        )
    owner.secrets.add(str(withdrawal.public_id))
    return {"public_id": withdrawal.public_id}


def _owned_bill_payment(owner: Any) -> dict[str, Any]:
    from payments.services.bills import bill_payment_create

    biller = Biller.objects.filter(code="SGCC-BJ").first() or biller_make()
    with transaction.atomic():
        payment = bill_payment_create(
            customer=owner.customer,
            biller_code=biller.code,
            account_number=ELECTRICITY_ACCOUNT,
            amount=Money(1_00, "CNY"),
        )
    owner.secrets.update({str(payment.public_id), payment.receipt_no})
    return {"public_id": payment.public_id}


def _owned_statement(owner: Any) -> dict[str, Any]:
    # The owner has a wallet this month; another customer without one gets 404 (no statement).
    return {"month": timezone.localdate().strftime("%Y-%m")}


MOVEMENT_OBJECT_ROUTES = {
    r"topups/<": _owned_topup,
    r"withdrawals/<": _owned_withdrawal,
    r"bill-payments/<": _owned_bill_payment,
    r"statements/<": _owned_statement,
}
