"""Helpers of the feedback/ticket/survey tests, and the owner-object factories the authorization
matrix uses for their routes (``FEEDBACK_TICKET_OBJECT_ROUTES``, merged in tests/evidence/world.py)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone
from PIL import Image

from accounts.models import Customer
from feedback.models import Feedback, SurveyInvitation, SurveyTrigger, Ticket
from feedback.services.tickets import feedback_create

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def upload(content: bytes, name: str = "screen.png", content_type: str = "image/png") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def complaint(customer: Customer, text: str = "转账到账太慢了", **kwargs: Any) -> Ticket:
    feedback = feedback_create(customer=customer, category="COMPLAINT", rating=1, text=text, **kwargs)
    return Ticket.objects.get(feedback=feedback)


def invitation(customer: Customer, kind: str = "NPS", *, days_left: int = 14) -> SurveyInvitation:
    now = timezone.now()
    return SurveyInvitation.objects.create(
        customer=customer,
        kind=kind,
        trigger=SurveyTrigger.SIGNUP_30_DAYS if kind == "NPS" else SurveyTrigger.TICKET_RESOLVED,
        trigger_ref=str(now.timestamp()),
        created_at=now,
        expires_at=now + timedelta(days=days_left),
    )


# --- the authorization matrix's owner objects ---------------------------------------------------
def _feedback(owner: Any) -> dict[str, Any]:
    feedback = feedback_create(
        customer=owner.customer, category="PROBLEM", rating=2, text="扫码失败", files=[upload(image_bytes())]
    )
    owner.secrets.add(str(feedback.public_id))
    return {"public_id": feedback.public_id}


def _attachment(owner: Any) -> dict[str, Any]:
    feedback = feedback_create(
        customer=owner.customer, category="PROBLEM", rating=2, text="截图", files=[upload(image_bytes())]
    )
    attachment = Feedback.objects.get(pk=feedback.pk).attachments.get()
    owner.secrets.add(str(attachment.public_id))
    return {"public_id": attachment.public_id}


def _ticket(owner: Any) -> dict[str, Any]:
    ticket = complaint(owner.customer)
    owner.secrets.add(str(ticket.public_id))
    return {"public_id": ticket.public_id}


def _invitation(owner: Any) -> dict[str, Any]:
    from feedback.services.surveys import survey_answer

    answered = invitation(owner.customer, "CSAT")
    survey_answer(customer=owner.customer, public_id=answered.public_id, score=2, comment="owner-verbatim-comment")
    owner.secrets.update({str(answered.public_id), "owner-verbatim-comment"})
    inv = invitation(owner.customer)
    owner.secrets.add(str(inv.public_id))
    return {"public_id": inv.public_id}


FEEDBACK_TICKET_OBJECT_ROUTES: dict[str, Callable[[Any], dict[str, Any]]] = {
    r"^api/v1/feedback/attachments/<": _attachment,
    r"^api/v1/feedback/<": _feedback,
    r"^api/v1/tickets/<": _ticket,
    r"^api/v1/surveys/invitations/<": _invitation,
}
