"""Writes of the payments app (HackSoft style), split by subdomain. Import from the submodules,
e.g. ``from payments.services.transfers import transfer_p2p_create``. Append one line per module."""
