import pytest

from core.audit import audit_record
from core.models import AuditEvent


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_write_append_only_rows() -> None:
    audit_record(action="core.test")

    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_next_transactional_test_starts_empty() -> None:
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_reference_data_survives_a_transactional_flush() -> None:
    from django.contrib.auth.models import Group

    from accounts.models import KycTier

    assert KycTier.objects.count() == 3
    assert Group.objects.get(name="BRANCH_MANAGER").permissions.filter(codename="approve_adjustment").exists()
