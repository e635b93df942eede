"""Review 2: staff decisions on money reference data that never reach the append-only audit log."""

from __future__ import annotations

import pytest

from core.models import AuditEvent
from payments.models import Biller
from tests.accounts.conftest import admin_client_for
from tests.factories import StaffFactory
from tests.payments.factories_movements import biller_make, staff_roles_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


def test_a_biller_limit_change_in_the_admin_is_audited() -> None:
    """Claim: every staff decision about money is in the append-only audit log with the actor.

    Break: BillerAdmin.save_model (and MerchantAdmin.save_model) call ``super().save_model`` with
    no ``audit_record``: raising a biller's per-payment maximum (or re-activating a suspended
    merchant, changing its currencies or signing branch) leaves only Django's editable LogEntry.
    """
    biller = biller_make()
    admin = StaffFactory(roles=["ADMINISTRATOR"])

    response = admin_client_for(admin).post(
        f"/admin/payments/biller/{biller.pk}/change/",
        {
            "name": biller.name,
            "category": biller.category,
            "validator": biller.validator,
            "status": biller.status,
            "min_amount": "0.01",
            "max_amount": "9999999.00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Biller.objects.get(pk=biller.pk).max_amount_minor == 999_999_900

    assert AuditEvent.objects.filter(action__startswith="payments.biller", actor=admin).exists(), (
        "biller limit raised with no audit event"
    )
