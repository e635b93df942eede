"""OpenAPI description of the customer token authentication (drf-spectacular extension)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class CustomerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.CustomerTokenAuthentication"
    name = "customerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Token from auth/login or auth/register: `Authorization: Bearer <token>`.",
        }
