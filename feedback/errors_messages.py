"""Domain errors of messages, articles, the inbox and products (each documented from its class by
``core.api_docs``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from core.errors import DomainError

__all__ = [
    "ContentInvalid",
    "ContentStateInvalid",
    "LeadAlreadyOpen",
    "LeadTransitionInvalid",
    "ProductNotEligible",
    "ProductNotFound",
    "SelfApprovalRefused",
    "StaffPermissionRequired",
]


class StaffPermissionRequired(DomainError):
    code = "permission_denied"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("You do not have permission to do this.")


class SelfApprovalRefused(DomainError):
    code = "self_approval_refused"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("Someone who wrote or edited this cannot approve it: a second staff member must.")


class NoticeApprovalRefused(DomainError):
    code = "notice_approval_refused"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _(
        "A service or security notice reaches customers who refused marketing: it must be approved by "
        "a risk officer who is not in marketing."
    )


class ContentInvalid(DomainError):
    code = "content_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The article or message is not complete or not valid.")


class ContentStateInvalid(DomainError):
    code = "content_state_invalid"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("The article or message is not in a state that allows this.")


class ProductNotFound(DomainError):
    code = "product_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("No such product is offered.")


class ProductNotEligible(DomainError):
    code = "product_not_eligible"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This product is not offered to you. Your branch can tell you about other products.")


class LeadAlreadyOpen(DomainError):
    code = "lead_already_open"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("You already asked about this product; your branch will contact you.")


class LeadTransitionInvalid(DomainError):
    code = "lead_transition_invalid"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("The lead cannot move to that status from its current one.")
