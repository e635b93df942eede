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
