"""Promotions in the staff admin: campaigns (marketing), their versions and approvals, coupon
batches, reward grants. Only bank-wide roles hold promotions permissions."""

from promotions.admin import campaigns, rewards, social  # noqa: F401  (registers the admins)
