"""URLs. Each app owns ``<app>/api/urls.py``, mounted under /api/v1/."""

from django.contrib import admin
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from core import views as core_views
from core.errors import error_body, not_found_body

api_v1: list[URLPattern | URLResolver] = [
    path("", include("accounts.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("promotions.api.urls")),
    path("", include("risk.api.urls")),
    path("", include("feedback.api.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("redoc", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("health/", core_views.health, name="health"),
    path("metrics", core_views.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
]
# The admin's CSS and JS under gunicorn in development, from the apps' static folders as runserver
# served them: an empty list unless DEBUG (and the view refuses to serve when DEBUG is off).
# Production serves STATIC_ROOT from the reverse proxy (deploy/nginx.conf); whitenoise would be a
# new dependency for what Django already does in development.
urlpatterns += staticfiles_urlpatterns()


def _json_handler(status: int, code: str, message_fn):  # type: ignore[no-untyped-def]
    def handler(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
        return JsonResponse(error_body(code, message_fn()), status=status, json_dumps_params={"ensure_ascii": False})

    return handler


# Production (DEBUG off) error pages are JSON too: bank clients and proxies parse them.
handler400 = _json_handler(400, "bad_request", lambda: _("Bad request."))
handler403 = _json_handler(403, "permission_denied", lambda: _("Permission denied."))


def handler404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Unknown URL: the one JSON 404 (``core.errors.not_found_body``; a trailing slash under /api/ says so)."""
    return JsonResponse(not_found_body(request.path), status=404, json_dumps_params={"ensure_ascii": False})


handler500 = _json_handler(500, "internal_error", lambda: _("An unexpected error occurred. Please try again later."))
