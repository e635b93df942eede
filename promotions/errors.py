"""Business failures of the promotions app: each a stable ``code`` and a 4xx status (core's one
error format). Rule errors (``RulesInvalid``) live next to the schemas in ``promotions.rules``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from core.errors import DomainError
from promotions.rules import RulesInvalid

__all__ = [
    "ApproverNotAllowed",
    "BudgetBelowMaxReward",
    "CampaignInvalid",
    "CampaignNotFound",
    "CampaignRunning",
    "CampaignStateInvalid",
    "CouponUnavailable",
    "ExclusiveOverlap",
    "PermissionRequired",
    "PointsAmountInvalid",
    "PointsInsufficient",
    "PointsOfferClosed",
    "PointsOfferLimitReached",
    "PointsOfferNotFound",
    "PointsOfferSoldOut",
    "ReasonRequired",
    "RulesInvalid",
]


class CampaignNotFound(DomainError):
    code = "campaign_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("Campaign not found.")


class CampaignInvalid(DomainError):
    code = "campaign_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The campaign is not valid.")


class BudgetBelowMaxReward(DomainError):
    code = "budget_below_max_reward"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The budget is smaller than the largest single reward: not even one reward could be paid.")


class ExclusiveOverlap(DomainError):
    code = "exclusive_overlap"
    status_code = status.HTTP_409_CONFLICT
    default_message = _(
        "Another exclusive campaign of the same stacking group runs in an overlapping period; only one may."
    )


class CampaignStateInvalid(DomainError):
    code = "campaign_state_invalid"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("The campaign is not in a state that allows this.")


class CampaignRunning(DomainError):
    code = "campaign_running"
    status_code = status.HTTP_409_CONFLICT
    default_message = _(
        "A campaign that has started cannot be edited: its terms were published to customers. End it and create a new one."
    )


class PermissionRequired(DomainError):
    code = "permission_denied"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("You do not have permission to do this.")


class ApproverNotAllowed(DomainError):
    code = "approver_not_allowed"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("You wrote or submitted this version of the campaign: another person must approve it.")


class ReasonRequired(DomainError):
    code = "reason_required"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Give a reason.")


class CouponUnavailable(DomainError):
    """The one answer to every failed redemption (unknown, used, expired, someone else's, over a
    limit): a code cannot be told apart from a guess."""

    code = "coupon_unavailable"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("This code cannot be redeemed.")


class PointsInsufficient(DomainError):
    code = "points_insufficient"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_message = _("You do not have enough points for this redemption.")


class PointsAmountInvalid(DomainError):
    code = "points_amount_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Redeem a whole multiple of the redemption step (at least one step).")


class PointsOfferNotFound(DomainError):
    """Unknown, not offered for points, not published yet, or not offered to this customer (not in
    the campaign's segment, held out, no marketing consent): the same 404 for all of them."""

    code = "points_offer_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("There is no such points offer for you.")


class PointsOfferClosed(DomainError):
    code = "points_offer_closed"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This offer cannot be redeemed now: it is paused, has not opened yet or has ended.")


class PointsOfferSoldOut(DomainError):
    code = "points_offer_sold_out"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This offer is sold out.")


class PointsOfferLimitReached(DomainError):
    code = "points_offer_limit_reached"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("You have already redeemed this offer as many times as it allows.")
