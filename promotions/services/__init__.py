"""Writes of the promotions app (HackSoft style), split by subdomain. Import from the submodules,
e.g. ``from promotions.services.campaigns import campaign_submit``."""
