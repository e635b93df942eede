"""Writing the audit log. Call ``audit_record`` inside the transaction of the change it records."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from core.client_address import client_address
from core.models import AuditEvent
from core.request_context import current_request_id


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as ``core.client_address`` resolves it (trusted proxy count honoured)."""
    return client_address(request)


def audit_record(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) and getattr(actor, "is_staff", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=(user.get_username() if user is not None else (str(actor) if actor else "system"))[:150],
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        reason=reason,
        changes=changes or {},
        ip_address=client_ip(request),
        request_id=current_request_id() if current_request_id() != "-" else "",
    )
