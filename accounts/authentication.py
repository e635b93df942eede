"""Customer API authentication: ``Authorization: Bearer <token>``; only the token's hash is stored."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import Customer, CustomerToken


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CustomerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Customer, CustomerToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword or len(parts[1]) > 200:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        now = timezone.now()
        token = (
            CustomerToken.objects.select_related("customer", "customer__kyc_tier")
            .filter(key_hash=token_hash(parts[1]), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if token.customer.status == Customer.Status.CLOSED:
            raise exceptions.AuthenticationFailed(_("This account is closed."))
        # Touch at most once a minute: no write on every request.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            CustomerToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.customer, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
