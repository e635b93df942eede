"""Promotions in the staff admin: campaigns (marketing), their versions and approvals."""

from promotions.admin import campaigns  # noqa: F401  (registers the admins)
