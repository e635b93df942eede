"""Domain errors of feedback, tickets and surveys (``core.errors.DomainError``: code, status, message)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

__all__ = [
    "AttachmentTooLarge",
    "AttachmentTypeNotAllowed",
    "FeedbackNotFound",
    "StaffActionRefused",
    "SurveyAlreadyAnswered",
    "SurveyExpired",
    "TicketAlreadyRated",
    "TicketClosed",
    "TicketNotResolved",
    "TicketTransitionRefused",
    "TooManyAttachments",
    "TransactionNotFound",
]


class AttachmentTooLarge(DomainError):
    code = "attachment_too_large"
    status_code = 413
    default_message = _("A screenshot is larger than allowed.")


class AttachmentTypeNotAllowed(DomainError):
    code = "attachment_type_not_allowed"
    status_code = 415
    default_message = _("Screenshots must be PNG, JPEG or WebP images.")


class TooManyAttachments(DomainError):
    code = "too_many_attachments"
    status_code = 400
    default_message = _("Too many screenshots for one message.")


class TransactionNotFound(DomainError):
    """The same answer for a transfer that does not exist and for another customer's."""

    code = "transaction_not_found"
    status_code = 404
    default_message = _("No such transaction of yours.")


class TicketClosed(DomainError):
    code = "ticket_closed"
    status_code = 409
    default_message = _("This ticket is closed. Send new feedback to open another one.")


class TicketTransitionRefused(DomainError):
    code = "ticket_transition_refused"
    status_code = 409
    default_message = _("The ticket cannot move to that status from its current one.")


class TicketNotResolved(DomainError):
    code = "ticket_not_resolved"
    status_code = 409
    default_message = _("The handling can be rated once the ticket is resolved.")


class TicketAlreadyRated(DomainError):
    code = "ticket_already_rated"
    status_code = 409
    default_message = _("You have already rated the handling of this ticket.")


class SurveyAlreadyAnswered(DomainError):
    code = "survey_already_answered"
    status_code = 409
    default_message = _("You have already answered this survey.")


class SurveyExpired(DomainError):
    code = "survey_expired"
    status_code = 410
    default_message = _("This survey has closed.")


class FeedbackNotFound(DomainError):
    """A ticket, feedback or survey that does not exist or is another customer's (one answer for both)."""

    code = "not_found"
    status_code = 404
    default_message = _("No such resource.")


class StaffActionRefused(DomainError):
    code = "permission_denied"
    status_code = 403
    default_message = _("You do not have permission to do this.")
