"""Staff passkeys in the admin: django-otp-webauthn as a second factor after the password, next to TOTP.

- Enrol (``admin:passkeys``, "Your passkeys"): a signed-in staff member whose session passed a second
  factor adds a passkey of their own (audited ``django_otp_webauthn.webauthncredential.add``).
- Sign in (``admin:passkey_login``): username and password (the same attempt limits and lockout as
  the TOTP form), then the passkey; only then is the session signed in, verified by that passkey.
  There is no passwordless sign-in (``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False``).
- Per role (``STAFF_PASSKEY_REQUIRED_ROLES``): such a member who has a passkey cannot sign in with
  TOTP; one who has none is let in with TOTP only as far as the enrolment page, and reaches the
  admin once their session is verified by a passkey (``access_check``, an ``ADMIN_ACCESS_CHECKS`` hook
  of ``core.admin_site``).

The package's views and helper are subclassed, not replaced: its challenge lives in the session,
unbounded in time; ours is a ``WebAuthnChallenge`` row (single use by ``DELETE ... RETURNING``,
expiring, bound to the staff user), user verification is required in both ceremonies, and the sign
counter only moves forward (conditional ``UPDATE``).
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware import csrf
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.i18n import JavaScriptCatalog
from django_otp import login as otp_login
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)
from webauthn import verify_authentication_response
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.structs import AuthenticatorSelectionCriteria, ResidentKeyRequirement, UserVerificationRequirement

from accounts.models import WebAuthnChallenge
from accounts.selectors import staff_passkey_required, staff_passkeys
from accounts.services.webauthn import ConsumedChallenge, challenge_consume, challenge_issue, challenge_ttl
from core.audit import audit_record
from core.errors import DomainError, error_body

PENDING_SESSION_KEY = "tongbao_passkey_pending"  # {"user": pk, "at": epoch seconds}: password right, passkey next
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
Purpose = WebAuthnChallenge.Purpose


class ChallengeExpired(webauthn_errors.OTPWebAuthnApiError):
    status_code = 400
    default_detail = _("This passkey request has expired or was already used. Start again.")
    default_code = "passkey_challenge_invalid"


class CounterInvalid(webauthn_errors.OTPWebAuthnApiError):
    status_code = 403
    default_detail = _("This passkey looks copied and cannot be used.")
    default_code = "passkey_counter_invalid"


class PasskeyEnrolmentRefused(webauthn_errors.OTPWebAuthnApiError):
    status_code = 403
    default_detail = _("Sign in with your passkey before you add or remove one.")
    default_code = "passkey_step_up_required"


# --- who is signing in / may manage -------------------------------------------------------------


def pending_user(request: HttpRequest) -> Any:
    """The staff member who gave the right password on the passkey sign-in page, for at most the
    challenge lifetime; None otherwise."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > challenge_ttl().total_seconds():
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True, is_staff=True).first()


def passkey_verified(request: HttpRequest) -> bool:
    return isinstance(getattr(request.user, "otp_device", None), WebAuthnCredential)


def access_check(request: HttpRequest) -> str | None:
    """``ADMIN_ACCESS_CHECKS`` hook: a role that requires a passkey reaches the admin only with a
    session verified by one; until then, the passkeys page (enrol, or verify with the one you have)."""
    cached = getattr(request, "_passkey_access", "unset")
    if cached != "unset":
        return cached  # type: ignore[no-any-return]
    url = None
    if staff_passkey_required(request.user) and not passkey_verified(request):
        url = reverse("admin:passkeys")
    request._passkey_access = url  # type: ignore[attr-defined]
    return url


def login_check(user: Any, device: Any) -> None:
    """``ADMIN_LOGIN_CHECKS`` hook: a member of a passkey role who has a passkey must use it."""
    if staff_passkey_required(user) and not isinstance(device, WebAuthnCredential) and staff_passkeys(user).exists():
        raise forms.ValidationError(
            _("Your role signs in with a passkey: use “Sign in with a passkey” below."), code="passkey_required"
        )


def may_manage_passkeys(request: HttpRequest) -> bool:
    """Adding a further passkey or removing one needs a session with full admin access (for a passkey
    role: verified by a passkey). A first passkey needs any verified second factor."""
    user: Any = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff and user.is_verified()):
        return False
    return access_check(request) is None or not staff_passkeys(user).exists()


# --- the helper: our challenges, user verification required, counter forward only ---------------


def _consume(state: Any, *, purpose: str, user: Any) -> ConsumedChallenge:
    challenge_id = state.get("challenge_id") if isinstance(state, dict) else None
    try:
        consumed = challenge_consume(challenge_id=challenge_id, purpose=purpose)
    except DomainError:
        raise ChallengeExpired() from None
    if user is None or consumed.user_id != user.pk:
        raise ChallengeExpired()
    return consumed


class StaffWebAuthnHelper(WebAuthnHelper):
    """``OTP_WEBAUTHN_HELPER_CLASS``: the package's helper with our challenge store and policy."""

    _challenge: WebAuthnChallenge

    def get_discoverable_credentials_preference(self) -> ResidentKeyRequirement:
        return ResidentKeyRequirement.PREFERRED  # a second factor: the server names the credentials

    def get_generate_registration_options_kwargs(self, *, user: Any) -> dict[str, Any]:
        kwargs = super().get_generate_registration_options_kwargs(user=user)
        kwargs["authenticator_selection"] = AuthenticatorSelectionCriteria(
            resident_key=self.get_discoverable_credentials_preference(),
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        self._challenge = challenge_issue(purpose=Purpose.STAFF_REGISTER, user=user)
        kwargs["challenge"] = bytes(self._challenge.challenge)
        return kwargs

    def get_registration_state(self, creation_options: dict[str, Any]) -> dict[str, Any]:
        return {"challenge_id": str(self._challenge.pk)}

    def register_complete(self, user: Any, state: dict[str, Any], data: dict[str, Any]) -> Any:
        """Consume the challenge (committed first), verify, then store the credential, its attestation
        and the audit event in one transaction."""
        consumed = _consume(state, purpose=Purpose.STAFF_REGISTER, user=user)
        package_state = {"challenge": bytes_to_base64url(consumed.challenge), "require_user_verification": True}
        with transaction.atomic():
            device = super().register_complete(user=user, state=package_state, data=data)
            audit_record(
                action="django_otp_webauthn.webauthncredential.add",
                actor=user,
                obj=device,
                request=self.request,
                changes={"name": device.name, "own": True},
            )
        return device

    def create_credential(self, user: Any, response: Any, parsed_credential: Any, original_data: dict[str, Any]) -> Any:
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = gettext("Passkey %(date)s") % {"date": timezone.localdate().isoformat()}
        return device

    def get_generate_authentication_options_kwargs(
        self, *, user: Any = None, require_user_verification: bool
    ) -> dict[str, Any]:
        if user is None:
            raise webauthn_errors.PasswordlessLoginDisabled()
        kwargs = super().get_generate_authentication_options_kwargs(user=user, require_user_verification=True)
        kwargs["user_verification"] = UserVerificationRequirement.REQUIRED
        self._challenge = challenge_issue(purpose=Purpose.STAFF_LOGIN, user=user)
        kwargs["challenge"] = bytes(self._challenge.challenge)
        return kwargs

    def get_authentication_state(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"challenge_id": str(self._challenge.pk)}

    def authenticate_complete(self, user: Any, state: dict[str, Any], data: dict[str, Any]) -> Any:
        """The package's checks (credential of this user, py_webauthn verification with user
        verification required) with our challenge, and a counter that only moves forward."""
        if user is None:
            raise webauthn_errors.PasswordlessLoginDisabled()
        consumed = _consume(state, purpose=Purpose.STAFF_LOGIN, user=user)
        credential = parse_authentication_credential_json(data)
        try:
            device = WebAuthnCredential.get_by_credential_id(credential.raw_id)
        except WebAuthnCredential.DoesNotExist:
            raise webauthn_errors.CredentialNotFound() from None
        if device.user_id != user.pk:
            raise webauthn_errors.CredentialUserMismatch()
        verified = verify_authentication_response(
            credential=credential,
            credential_current_sign_count=device.sign_count,
            credential_public_key=bytes(device.public_key),
            expected_challenge=consumed.challenge,
            expected_rp_id=self.get_relying_party_domain(),
            expected_origin=self.get_allowed_origins(),
            require_user_verification=True,
        )
        new = verified.new_sign_count
        moved = (
            WebAuthnCredential.objects.filter(pk=device.pk, confirmed=True)
            .filter(Q(sign_count__lt=new) | (Q(sign_count=0) & Q(sign_count=new)))
            .update(sign_count=new, backup_state=verified.credential_backed_up, last_used_at=timezone.now())
        )
        if moved != 1:
            raise CounterInvalid()
        device.refresh_from_db()
        return device


# --- the JSON endpoints the package's scripts call ----------------------------------------------


class _JsonErrors:
    """Errors in the project's format (``code``, ``message``, ``details``, ``request_id``) plus the
    ``detail`` the package's scripts display."""

    def handle_exception(self, exc: Exception) -> JsonResponse:
        if isinstance(exc, webauthn_errors.OTPWebAuthnApiError):
            body = error_body(exc.code, str(exc))
            body["detail"] = str(exc)
            return JsonResponse(body, status=exc.status_code, json_dumps_params={"ensure_ascii": False})
        raise exc


def _staff_user(request: HttpRequest) -> Any:
    """The signed-in staff member (stepping up their session), else the one waiting for their passkey."""
    user = request.user
    if user.is_authenticated and user.is_staff and user.is_active:
        return user
    return pending_user(request)


class StaffPasskeyRegisterBeginView(_JsonErrors, BeginCredentialRegistrationView):
    def check_can_register(self) -> None:
        user = self.get_user()
        if user is None or not user.is_staff or not user.is_verified():
            raise webauthn_errors.NotVerified()
        if not may_manage_passkeys(self.request):
            raise PasskeyEnrolmentRefused()


class StaffPasskeyRegisterCompleteView(_JsonErrors, CompleteCredentialRegistrationView):
    check_can_register = StaffPasskeyRegisterBeginView.check_can_register


class StaffPasskeyAuthBeginView(_JsonErrors, BeginCredentialAuthenticationView):
    def get_user(self) -> Any:
        return _staff_user(self.request)


class StaffPasskeyAuthCompleteView(_JsonErrors, CompleteCredentialAuthenticationView):
    def get_user(self) -> Any:
        return _staff_user(self.request)

    def complete_auth(self, device: Any) -> None:
        request = self.request
        if request.user.is_authenticated:
            if device.user_id != request.user.pk:
                raise webauthn_errors.CredentialUserMismatch()
        else:
            auth_login(request, device.user, backend=_MODEL_BACKEND)  # fires user_logged_in: attempt counts reset
            request.session.pop(PENDING_SESSION_KEY, None)
        otp_login(request, device)

    def get_success_url(self) -> str:
        return self.get_redirect_url() or reverse("admin:index")


# --- pages --------------------------------------------------------------------------------------


def _scripts_config(request: HttpRequest) -> dict[str, Any]:
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("admin:passkey_auth_begin"),
        "completeAuthenticationUrl": reverse("admin:passkey_auth_complete"),
        "beginRegistrationUrl": reverse("admin:passkey_register_begin"),
        "completeRegistrationUrl": reverse("admin:passkey_register_complete"),
    }


class PasskeyPasswordForm(AdminAuthenticationForm):
    """Step 1 of the passkey sign-in: username and password (the same backends, attempt limits and
    lockout as the TOTP form); refused for staff without a passkey."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and not staff_passkeys(user).exists():
            raise forms.ValidationError(
                _("No passkey is enrolled for this account: sign in with your authenticator code."),
                code="no_passkey",
            )
        return cleaned


def passkey_login_view(site: Any) -> Any:
    @never_cache
    def view(request: HttpRequest) -> HttpResponse:
        request.current_app = site.name
        next_url = request.POST.get("next") or request.GET.get("next") or reverse("admin:index")
        form = PasskeyPasswordForm(request, data=request.POST or None)
        if request.method == "POST" and form.is_valid():
            request.session.cycle_key()
            request.session[PENDING_SESSION_KEY] = {"user": form.get_user().pk, "at": time.time()}
            return HttpResponseRedirect(request.get_full_path())
        waiting = pending_user(request)
        context = {
            **site.each_context(request),
            "title": _("Sign in with a passkey"),
            "form": form,
            "next": next_url,
            "waiting": waiting,
            "passkey_config": _scripts_config(request) if waiting else None,
        }
        return TemplateResponse(request, "admin/passkey_login.html", context)

    return view


def passkeys_view(site: Any) -> Any:
    @never_cache
    def view(request: HttpRequest) -> HttpResponse:
        request.current_app = site.name
        user: Any = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff and user.is_verified()):
            return HttpResponseRedirect(f"{reverse('admin:login')}?next={request.path}")
        manage = may_manage_passkeys(request)
        if request.method == "POST":
            if not manage:
                return TemplateResponse(request, "admin/passkeys.html", {"forbidden": True}, status=403)
            with transaction.atomic():
                device = staff_passkeys(user).select_for_update().filter(pk=request.POST.get("remove")).first()
                if device is not None:
                    audit_record(
                        action="django_otp_webauthn.webauthncredential.delete",
                        actor=user,
                        obj=device,
                        request=request,
                        changes={"name": device.name, "own": True},
                    )
                    device.delete()
            return HttpResponseRedirect(request.path)
        passkeys = list(staff_passkeys(user))
        context = {
            **site.each_context(request),
            "title": _("Your passkeys"),
            "passkeys": passkeys,
            "may_manage": manage,
            "required": staff_passkey_required(user),
            "verified_by_passkey": passkey_verified(request),
            "passkey_config": _scripts_config(request),
            "next": reverse("admin:index"),
        }
        return TemplateResponse(request, "admin/passkeys.html", context)

    return view


def admin_urls(site: Any) -> list[URLPattern]:
    """``ADMIN_EXTRA_URLS`` hook: the passkey pages and the JSON endpoints of the package's scripts."""
    return [
        path("passkey/login/", passkey_login_view(site), name="passkey_login"),
        path("passkeys/", passkeys_view(site), name="passkeys"),
        path("passkey/auth/begin/", StaffPasskeyAuthBeginView.as_view(), name="passkey_auth_begin"),
        path("passkey/auth/complete/", StaffPasskeyAuthCompleteView.as_view(), name="passkey_auth_complete"),
        path("passkey/register/begin/", StaffPasskeyRegisterBeginView.as_view(), name="passkey_register_begin"),
        path(
            "passkey/register/complete/", StaffPasskeyRegisterCompleteView.as_view(), name="passkey_register_complete"
        ),
        path(
            "passkey/jsi18n/",
            JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
            name="passkey_jsi18n",
        ),
    ]


__all__ = ["StaffWebAuthnHelper", "access_check", "admin_urls", "login_check"]
