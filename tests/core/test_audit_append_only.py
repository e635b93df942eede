import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from core.audit import audit_record
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_audit_rows_cannot_be_updated_or_deleted_even_with_raw_sql() -> None:
    event = audit_record(action="core.test", reason="why")

    for statement in (
        "UPDATE core_auditevent SET reason = 'changed' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).reason == "why"


def test_audit_orm_refuses_update_and_delete() -> None:
    event = audit_record(action="core.test")

    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        event.save()
