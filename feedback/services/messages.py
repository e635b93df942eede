"""Messages to customers: write, submit, approve (a second staff member), cancel; the due-message
dispatcher (beat); pushes through the pluggable channel; the customer marking their inbox read.

Delivery contract (docs/feedback-messages.md):

- a message is fanned out once, by ``messages_dispatch_due``: the due row is locked with
  ``SKIP LOCKED``, its recipients are inserted by ONE ``INSERT ... SELECT ... ON CONFLICT DO
  NOTHING`` (set-based: a million recipients is one statement, no Python loop) and the message
  becomes SENT in the same transaction. A doubled beat tick skips the locked row or finds it SENT;
  the unique (message, customer) makes even a forced second run insert nothing;
- MARKETING reaches customers with a live MARKETING consent only (``customer_marketing_reachable_qs``);
  SERVICE and SECURITY reach every targeted customer who is not CLOSED;
- pushes are claimed (``pushed_at``) in a short transaction and handed to the channel after commit,
  never while holding row locks; a channel that reports itself unavailable gets the batch back.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, StaffRole
from accounts.selectors import customer_marketing_reachable_qs, staff_has_role
from core.audit import audit_record
from core.errors import DomainError
from feedback.errors_messages import ContentInvalid, ContentStateInvalid, NoticeApprovalRefused, SelfApprovalRefused
from feedback.integrations_push import PushNotification, PushUnavailable, push_backend
from feedback.models_messages import Article, Message, MessageDelivery
from feedback.services.articles import approver_ensure_independent_of_editors, require_perm, text_clean
from promotions.rules import RulesInvalid, segment_parse
from promotions.selectors_segments import segment_qs

__all__ = [
    "MESSAGE_FIELDS",
    "inbox_mark_read",
    "message_approve",
    "message_cancel",
    "message_create",
    "message_recipients_qs",
    "message_submit",
    "message_update",
    "messages_dispatch_due",
    "messages_push_pending",
]

logger = logging.getLogger(__name__)

MESSAGE_FIELDS = ("kind", "audience", "title_zh", "title_en", "body_zh", "body_en", "segment", "send_at", "article")
_LIMITS = {"title_zh": 120, "title_en": 120, "body_zh": 4000, "body_en": 4000}


# --- writing and approving -------------------------------------------------------------------------
def _clean(data: dict[str, Any], customer_ids: list[int] | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    try:
        fields = text_clean(data, _LIMITS)
    except ContentInvalid as invalid:  # reported with the other fields' problems, all at once
        errors.update(invalid.details)
    if data.get("kind") not in Message.Kind.values:
        errors["kind"] = "one of " + ", ".join(Message.Kind.values)
    if data.get("audience") not in Message.Audience.values:
        errors["audience"] = "one of " + ", ".join(Message.Audience.values)
    send_at = data.get("send_at")
    if not isinstance(send_at, datetime) or timezone.is_naive(send_at):
        errors["send_at"] = "required (a moment with its time zone)"
    segment = data.get("segment") or {}
    if data.get("audience") == Message.Audience.SEGMENT:
        try:
            segment_parse(segment)
        except RulesInvalid as error:
            errors["segment"] = error.details.get("errors", [])
    elif data.get("audience") == Message.Audience.CUSTOMERS:
        segment = {}
        if not customer_ids:
            errors["customers"] = "name at least one customer"
    article = data.get("article")
    if article is not None and (not isinstance(article, Article) or article.status != Article.Status.PUBLISHED):
        errors["article"] = "link a published article"
    if errors:
        raise ContentInvalid(details=errors)
    fields.update(kind=data["kind"], audience=data["audience"], segment=segment, send_at=send_at, article=article)
    return fields


def _locked(message_id: int) -> Message:
    message = Message.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise ContentStateInvalid()
    return message


def message_create(
    *, by: User, data: dict[str, Any], customer_ids: list[int] | None = None, request: HttpRequest | None = None
) -> Message:
    """A DRAFT message. ``customer_ids``: the named customers (audience CUSTOMERS); the caller has
    already checked them against the staff member's scope (the admin's scoped field)."""
    require_perm(by, "feedback.add_message")
    fields = _clean(data, customer_ids)
    with transaction.atomic(durable=True):
        message = Message.objects.create(**fields, created_by=by, editor_ids=[by.pk])
        if fields["audience"] == Message.Audience.CUSTOMERS:
            message.customers.set(customer_ids or [])
        audit_record(
            action="feedback.message.create",
            actor=by,
            obj=message,
            changes={"kind": message.kind, "audience": message.audience},
            request=request,
        )
    return message


def message_update(
    *,
    message_id: int,
    by: User,
    data: dict[str, Any],
    customer_ids: list[int] | None = None,
    request: HttpRequest | None = None,
) -> Message:
    require_perm(by, "feedback.change_message")
    fields = _clean(data, customer_ids)
    with transaction.atomic(durable=True):
        message = _locked(message_id)
        if message.status != Message.Status.DRAFT:
            raise ContentStateInvalid()
        changed = sorted(f for f, v in fields.items() if getattr(message, f) != v)
        for field, value in fields.items():
            setattr(message, field, value)
        if by.pk not in message.editor_ids:
            message.editor_ids = [*message.editor_ids, by.pk]
        message.save()
        message.customers.set((customer_ids or []) if message.audience == Message.Audience.CUSTOMERS else [])
        audit_record(
            action="feedback.message.update", actor=by, obj=message, changes={"fields": changed}, request=request
        )
    return message


def message_submit(*, message_id: int, by: User, request: HttpRequest | None = None) -> Message:
    require_perm(by, "feedback.change_message")
    with transaction.atomic(durable=True):
        message = _locked(message_id)
        if message.status != Message.Status.DRAFT:
            raise ContentStateInvalid()
        message.status = Message.Status.SUBMITTED
        message.save(update_fields=["status", "updated_at"])
        audit_record(action="feedback.message.submit", actor=by, obj=message, request=request)
    return message


def message_approve(*, message_id: int, by: User, request: HttpRequest | None = None) -> Message:
    """SUBMITTED -> SCHEDULED (sent by the dispatcher at ``send_at``; at once if that is past).
    Refused to whoever wrote or edited it. The audience's size is recorded in the audit log."""
    require_perm(by, "feedback.approve_message")
    with transaction.atomic(durable=True):
        message = _locked(message_id)
        if message.status != Message.Status.SUBMITTED:
            raise ContentStateInvalid()
        if by.pk == message.created_by_id or by.pk in message.editor_ids:
            raise SelfApprovalRefused()
        approver_ensure_independent_of_editors(editor_ids=[*message.editor_ids, message.created_by_id], approver=by)
        if message.kind != Message.Kind.MARKETING and not _may_approve_notices(by):
            raise NoticeApprovalRefused()
        message.status = Message.Status.SCHEDULED
        message.approved_by = by
        message.approved_at = timezone.now()
        message.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        audit_record(
            action="feedback.message.approve",
            actor=by,
            obj=message,
            changes={"send_at": message.send_at.isoformat(), "audience_now": message_recipients_qs(message).count()},
            request=request,
        )
    return message


def _may_approve_notices(user: User) -> bool:
    """A SERVICE or SECURITY notice ignores marketing consent, so marketing must not be able to send
    a promotion under that label: its approver is a risk officer (the bank's second line) who holds
    no marketing role. Review of stop 20 (tests/review/test_review_issue14.py)."""
    return staff_has_role(user, StaffRole.RISK_OFFICER) and not staff_has_role(user, StaffRole.MARKETING)


def message_cancel(*, message_id: int, by: User, reason: str, request: HttpRequest | None = None) -> Message:
    """Stop a message that has not gone out (DRAFT, SUBMITTED or SCHEDULED)."""
    require_perm(by, "feedback.change_message")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ContentInvalid(details={"reason": "required"})
    with transaction.atomic(durable=True):
        message = _locked(message_id)
        if message.status in (Message.Status.SENT, Message.Status.CANCELLED):
            raise ContentStateInvalid()
        message.status = Message.Status.CANCELLED
        message.save(update_fields=["status", "updated_at"])
        audit_record(action="feedback.message.cancel", actor=by, obj=message, reason=reason, request=request)
    return message


# --- the audience and the fan-out ------------------------------------------------------------------
def message_recipients_qs(message: Message, *, now: datetime | None = None) -> QuerySet[Customer]:
    """Whom ``message`` reaches now, as one query: the consent rule by kind, then its audience."""
    if message.kind == Message.Kind.MARKETING:
        base = customer_marketing_reachable_qs()
    else:
        base = Customer.objects.exclude(status=Customer.Status.CLOSED)
    if message.audience == Message.Audience.SEGMENT:
        return segment_qs(segment_parse(message.segment or {}), now=now, base=base)
    named = Message.customers.through.objects.filter(message_id=message.pk).values("customer_id")
    return base.filter(pk__in=named)


_FAN_OUT = (
    "INSERT INTO feedback_messagedelivery (public_id, message_id, customer_id, created_at) "
    "SELECT gen_random_uuid(), %s, recipients.id, %s FROM ({recipients}) AS recipients (id) "
    "ON CONFLICT (message_id, customer_id) DO NOTHING"
)


def _fan_out(message: Message, now: datetime) -> int:
    """One statement: every recipient's inbox row. Returns the rows inserted."""
    try:
        sql, params = message_recipients_qs(message, now=now).order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return 0  # an audience that can match nobody (e.g. ``home_branch_id IN ()``): sent to nobody
    with connection.cursor() as cursor:
        cursor.execute(_FAN_OUT.format(recipients=sql), [message.pk, now, *params])
        return int(cursor.rowcount)


def messages_dispatch_due(*, now: datetime | None = None, limit: int = 20) -> list[int]:
    """Send every SCHEDULED message whose ``send_at`` has come (at most ``limit`` per call), each in
    its own transaction. Safe to run twice at once (see the module docstring). Returns the ids sent."""
    now = now or timezone.now()
    sent: list[int] = []
    failed: list[int] = []
    for _i in range(limit):
        pk: int | None = None
        try:
            with transaction.atomic(durable=True):
                message = (
                    Message.objects.select_for_update(skip_locked=True)
                    .filter(status=Message.Status.SCHEDULED, send_at__lte=now)
                    .exclude(pk__in=failed)
                    .order_by("send_at", "id")
                    .first()
                )
                if message is None:
                    break
                pk = message.pk
                inserted = _fan_out(message, now)
                message.status = Message.Status.SENT
                message.sent_at = now
                message.recipients_count = inserted
                message.save(update_fields=["status", "sent_at", "recipients_count", "updated_at"])
                audit_record(action="feedback.message.send", obj=message, changes={"recipients": inserted})
        except (DatabaseError, DomainError):
            if pk is None:
                raise  # the database itself failed before any message was taken
            # Rolled back and left SCHEDULED for the next tick; the oldest due message must not hold
            # back the ones after it (a security notice among them) tick after tick.
            logger.exception("message %s could not be sent; the next tick tries again", pk)
            failed.append(pk)
            continue
        sent.append(pk)
    return sent


# --- pushes ------------------------------------------------------------------------------------------
_CLAIM = (
    "UPDATE feedback_messagedelivery AS d SET pushed_at = %s FROM feedback_message AS m, accounts_customer AS c "
    "WHERE d.id IN (SELECT id FROM feedback_messagedelivery WHERE pushed_at IS NULL {only} "
    "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) AND m.id = d.message_id AND c.id = d.customer_id "
    "RETURNING d.id, d.public_id, c.public_id, m.kind, m.title_zh, m.title_en"
)


def messages_push_pending(*, message_id: int | None = None, batch: int = 500) -> int:
    """Claim up to ``batch`` deliveries not pushed yet (of one message, or any) and hand them to
    the push channel after commit. Returns how many were handed over (0: nothing left)."""
    now = timezone.now()
    only = "AND message_id = %s" if message_id is not None else ""
    params: list[Any] = [now, *([message_id] if message_id is not None else []), batch]
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute(_CLAIM.format(only=only), params)
        rows = cursor.fetchall()
    if not rows:
        return 0
    notifications = [
        PushNotification(customer_id=str(customer), item_id=str(item), kind=kind, title={"zh-hans": zh, "en": en})
        for _pk, item, customer, kind, zh, en in rows
    ]
    try:
        push_backend().send(notifications)
    except PushUnavailable:
        # Give the batch back: the next sweep pushes it (the inbox has it meanwhile).
        MessageDelivery.objects.filter(pk__in=[row[0] for row in rows], pushed_at=now).update(pushed_at=None)
        logger.warning("push channel unavailable: %d deliveries returned to the queue", len(rows))
        return 0
    return len(rows)


# --- the customer's inbox ------------------------------------------------------------------------------
class InboxItemNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("No such message in your inbox.")


def inbox_mark_read(*, customer: Customer, item_id: Any) -> MessageDelivery:
    """Mark one of MY inbox items read (first read wins; again answers the same). Another
    customer's item, or an unknown id, is a 404: nothing tells them it exists."""
    now = timezone.now()
    mine = MessageDelivery.objects.filter(customer=customer, public_id=item_id)
    with transaction.atomic(durable=True):
        mine.filter(read_at__isnull=True).update(read_at=now)
        item = mine.select_related("message", "message__article").first()
    if item is None:
        raise InboxItemNotFound()
    return item
