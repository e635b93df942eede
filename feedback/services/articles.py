"""Education articles: write (DRAFT), submit, approve and publish (a second staff member), send back,
archive. Each step checks the permission and the status under the row lock and writes the audit log
in its own transaction; nobody who wrote or edited an article approves it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from accounts.services.staff import approver_ensure_independent
from core.audit import audit_record
from core.validators import contains_card_number
from feedback.errors_messages import ContentInvalid, ContentStateInvalid, SelfApprovalRefused, StaffPermissionRequired
from feedback.models_messages import Article

__all__ = [
    "ARTICLE_FIELDS",
    "approver_ensure_independent_of_editors",
    "article_approve",
    "article_archive",
    "article_create",
    "article_reject",
    "article_submit",
    "article_update",
    "require_perm",
]

ARTICLE_FIELDS = ("slug", "kind", "title_zh", "title_en", "body_zh", "body_en")
_LIMITS = {"slug": 80, "title_zh": 120, "title_en": 120, "body_zh": 20_000, "body_en": 20_000}


def require_perm(user: Any, perm: str) -> None:
    """403 unless ``user`` is active staff holding ``perm`` (``feedback.<codename>``)."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False) and user.has_perm(perm)):
        raise StaffPermissionRequired()


def approver_ensure_independent_of_editors(*, editor_ids: list[int | None], approver: Any) -> None:
    """The accounts rule for every maker-checker (``approver_ensure_independent``) against each person
    who wrote or edited the content: not themselves, not someone they created or promoted recently
    (or who did so for them), no incompatible roles. Reads only; call it under the row lock."""
    from django.contrib.auth import get_user_model

    ids = sorted({pk for pk in editor_ids if pk is not None})
    for editor in get_user_model().objects.filter(pk__in=ids).order_by("pk"):
        approver_ensure_independent(maker=editor, checker=approver)


def text_clean(data: dict[str, Any], limits: dict[str, int]) -> dict[str, str]:
    """Trimmed texts, every one required, within its limit, no bank card number; every problem at once."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field, limit in limits.items():
        value = data.get(field)
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            errors[field] = "required"
        elif len(text) > limit:
            errors[field] = f"at most {limit} characters"
        elif contains_card_number(text):
            errors[field] = "card_number_in_text"
        else:
            cleaned[field] = text
    if errors:
        raise ContentInvalid(details=errors)
    return cleaned


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if not data.get("slug") and isinstance(data.get("title_en"), str):
        data["slug"] = slugify(data["title_en"])[:80]
    errors: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = text_clean(data, _LIMITS)
    except ContentInvalid as invalid:  # reported with the kind's problem, all at once
        errors.update(invalid.details)
    if data.get("kind") not in Article.Kind.values:
        errors["kind"] = "one of " + ", ".join(Article.Kind.values)
    if errors:
        raise ContentInvalid(details=errors)
    cleaned["kind"] = data["kind"]
    cleaned["slug"] = slugify(cleaned["slug"])[:80]
    return cleaned


def _locked(article_id: int) -> Article:
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise ContentStateInvalid()
    return article


def article_create(*, by: User, data: dict[str, Any], request: HttpRequest | None = None) -> Article:
    require_perm(by, "feedback.add_article")
    fields = _clean(data)
    with transaction.atomic(durable=True):
        if Article.objects.filter(slug=fields["slug"]).exists():
            raise ContentInvalid(details={"slug": "already used by another article"})
        article = Article.objects.create(**fields, author=by, editor_ids=[by.pk])
        audit_record(action="feedback.article.create", actor=by, obj=article, request=request)
    return article


def article_update(*, article_id: int, by: User, data: dict[str, Any], request: HttpRequest | None = None) -> Article:
    """Edit a DRAFT (a published article is archived and rewritten, never changed under readers)."""
    require_perm(by, "feedback.change_article")
    fields = _clean(data)
    with transaction.atomic(durable=True):
        article = _locked(article_id)
        if article.status != Article.Status.DRAFT:
            raise ContentStateInvalid()
        if Article.objects.filter(slug=fields["slug"]).exclude(pk=article.pk).exists():
            raise ContentInvalid(details={"slug": "already used by another article"})
        changed = sorted(f for f, v in fields.items() if getattr(article, f) != v)
        for field, value in fields.items():
            setattr(article, field, value)
        if by.pk not in article.editor_ids:
            article.editor_ids = [*article.editor_ids, by.pk]
        article.save()
        audit_record(
            action="feedback.article.update",
            actor=by,
            obj=article,
            changes={"fields": changed},
            request=request,
        )
    return article


def article_submit(*, article_id: int, by: User, request: HttpRequest | None = None) -> Article:
    require_perm(by, "feedback.change_article")
    with transaction.atomic(durable=True):
        article = _locked(article_id)
        if article.status != Article.Status.DRAFT:
            raise ContentStateInvalid()
        article.status = Article.Status.SUBMITTED
        article.submitted_at = timezone.now()
        article.save(update_fields=["status", "submitted_at", "updated_at"])
        audit_record(action="feedback.article.submit", actor=by, obj=article, request=request)
    return article


def article_approve(*, article_id: int, by: User, request: HttpRequest | None = None) -> Article:
    """Publish a SUBMITTED article; refused to its author and to anyone who edited it."""
    require_perm(by, "feedback.approve_article")
    with transaction.atomic(durable=True):
        article = _locked(article_id)
        if article.status != Article.Status.SUBMITTED:
            raise ContentStateInvalid()
        if by.pk == article.author_id or by.pk in article.editor_ids:
            raise SelfApprovalRefused()
        approver_ensure_independent_of_editors(editor_ids=[*article.editor_ids, article.author_id], approver=by)
        article.status = Article.Status.PUBLISHED
        article.approved_by = by
        article.published_at = timezone.now()
        article.save(update_fields=["status", "approved_by", "published_at", "updated_at"])
        audit_record(action="feedback.article.approve", actor=by, obj=article, request=request)
    return article


def article_reject(*, article_id: int, by: User, reason: str, request: HttpRequest | None = None) -> Article:
    """Send a SUBMITTED article back to DRAFT with a reason."""
    require_perm(by, "feedback.approve_article")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ContentInvalid(details={"reason": "required"})
    with transaction.atomic(durable=True):
        article = _locked(article_id)
        if article.status != Article.Status.SUBMITTED:
            raise ContentStateInvalid()
        article.status = Article.Status.DRAFT
        article.save(update_fields=["status", "updated_at"])
        audit_record(action="feedback.article.reject", actor=by, obj=article, reason=reason, request=request)
    return article


def article_archive(*, article_id: int, by: User, reason: str, request: HttpRequest | None = None) -> Article:
    """Take an article off the customers' list (any status but ARCHIVED)."""
    require_perm(by, "feedback.change_article")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ContentInvalid(details={"reason": "required"})
    with transaction.atomic(durable=True):
        article = _locked(article_id)
        if article.status == Article.Status.ARCHIVED:
            raise ContentStateInvalid()
        article.status = Article.Status.ARCHIVED
        article.save(update_fields=["status", "updated_at"])
        audit_record(action="feedback.article.archive", actor=by, obj=article, reason=reason, request=request)
    return article
