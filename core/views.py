from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_prometheus.exports import ExportToDjangoView

from core.client_address import client_address
from core.errors import error_response
from core.health import health_report


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    ok, report = health_report()
    return JsonResponse({"status": "ok" if ok else "degraded", "checks": report}, status=200 if ok else 503)


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:], token):
        return True
    return client_address(request) in settings.METRICS_ALLOWED_IPS


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition; a bearer token (and, without one, an address allow-list) guards it."""
    if not _metrics_allowed(request):
        return error_response(403, "permission_denied", "Metrics are not public.")
    return ExportToDjangoView(request)
