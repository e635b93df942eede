"""The staff admin site: password plus a TOTP code, titled for the bank."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.db import transaction
from django.db.models.fields import BLANK_CHOICE_DASH
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.models import Device

from core.audit import audit_record


def _hooks(setting: str) -> list[Callable[..., Any]]:
    """Callables named by dotted path in ``settings.<setting>``: how apps extend the site without
    core importing them (ARCHITECTURE §3)."""
    return [import_string(path) for path in getattr(settings, setting, [])]


def token_device(device: Any) -> bool:
    """A device that checks a typed code (TOTP, recovery codes), not a passkey (its own ceremony)."""
    return type(device).verify_token is not Device.verify_token


class StaffLoginForm(OTPAdminAuthenticationForm):
    """Username, password and TOTP code on one page.

    django-otp 1.7 requires an explicit device choice so that trying every device cannot
    throttle unrelated ones (e.g. recovery codes). A staff member with exactly one confirmed
    device has nothing to choose, so that device is used; with several, the form asks.
    """

    def _chosen_device(self, user: Any) -> Any:
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            confirmed = [d for d in devices_for_user(user, confirmed=True, for_verify=True) if token_device(d)]
            if len(confirmed) == 1:
                return confirmed[0]
        return device

    @staticmethod
    def device_choices(user: Any) -> list[tuple[str, str]]:
        # Passkeys have their own sign-in page: only devices that take a code are offered here.
        return list(BLANK_CHOICE_DASH) + [(d.persistent_id, d.name) for d in devices_for_user(user) if token_device(d)]

    def clean(self) -> dict[str, Any]:
        """Password and code first; then ``ADMIN_LOGIN_CHECKS`` (``check(user, device)`` raising
        ``ValidationError``), e.g. a role that must sign in with a passkey."""
        cleaned = super().clean()
        user = self.get_user()
        if user is not None:
            for check in _hooks("ADMIN_LOGIN_CHECKS"):
                check(user, getattr(user, "otp_device", None))
        return cleaned


class AuditedOwnPasswordChangeForm(AdminPasswordChangeForm):
    """A staff member changes their own password with the current one; audited ``auth.user.password``."""

    def save(self, commit: bool = True) -> Any:
        with transaction.atomic():
            user = super().save(commit=commit)
            audit_record(
                action="auth.user.password",
                actor=self.user,
                obj=self.user,
                changes={"password": "changed", "own": True},
            )
        return user


class TongbaoAdminSite(OTPAdminSite):
    site_header = _("Tongbao Wallet Back Office")
    site_title = _("Tongbao Back Office")
    index_title = _("Branch operations")
    site_url = None  # no public site behind the back office: no "View site" link to a 404
    enable_nav_sidebar = True
    login_form = StaffLoginForm
    login_template = "admin/otp_login.html"

    def access_redirect(self, request: HttpRequest) -> str | None:
        """Where a signed-in, verified staff member must go before the admin opens (``ADMIN_ACCESS_CHECKS``:
        ``check(request) -> URL | None``), e.g. passkey enrolment for a role that requires one."""
        for check in _hooks("ADMIN_ACCESS_CHECKS"):
            url = check(request)
            if url:
                return str(url)
        return None

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and self.access_redirect(request) is None

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "GET" and OTPAdminSite.has_permission(self, request):
            url = self.access_redirect(request)
            if url:
                return HttpResponseRedirect(url)
        return super().login(request, extra_context)

    def get_urls(self) -> list[URLPattern | URLResolver]:
        """The site's URLs, after those of ``ADMIN_EXTRA_URLS`` (``urls(site) -> list``)."""
        extra: list[URLPattern | URLResolver] = []
        for urls in _hooks("ADMIN_EXTRA_URLS"):
            extra += urls(self)
        return [*extra, *super().get_urls()]

    def password_change(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Django's own view (old password required) with the audited form."""
        request.current_app = self.name
        view = PasswordChangeView.as_view(
            form_class=AuditedOwnPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
            **({"template_name": self.password_change_template} if self.password_change_template else {}),
        )
        return view(request)  # type: ignore[return-value]
