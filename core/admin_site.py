"""The staff admin site: password plus a TOTP code, titled for the bank."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from core.audit import audit_record


class StaffLoginForm(OTPAdminAuthenticationForm):
    """Username, password and TOTP code on one page.

    django-otp 1.7 requires an explicit device choice so that trying every device cannot
    throttle unrelated ones (e.g. recovery codes). A staff member with exactly one confirmed
    device has nothing to choose, so that device is used; with several, the form asks.
    """

    def _chosen_device(self, user: Any) -> Any:
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            confirmed = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(confirmed) == 1:
                return confirmed[0]
        return device


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
