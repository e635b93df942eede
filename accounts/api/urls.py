"""Customer API of the accounts app, mounted under /api/v1/. Objects are addressed by UUID."""

from django.urls import URLPattern, URLResolver, path

from accounts.api import passkeys, views, views_reference

app_name = "accounts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/otp", views.AuthOtpRequestApi.as_view(), name="auth-otp"),
    path("auth/register", views.AuthRegisterApi.as_view(), name="auth-register"),
    path("auth/login", views.AuthLoginApi.as_view(), name="auth-login"),
    path("auth/logout", views.AuthLogoutApi.as_view(), name="auth-logout"),
    path("auth/password", views.AuthPasswordChangeApi.as_view(), name="auth-password"),
    path("auth/password/reset", views.AuthPasswordResetApi.as_view(), name="auth-password-reset"),
    path("auth/passkey/options", passkeys.AuthPasskeyOptionsApi.as_view(), name="auth-passkey-options"),
    path("auth/passkey/login", passkeys.AuthPasskeyLoginApi.as_view(), name="auth-passkey-login"),
    path("me", views.MeApi.as_view(), name="me"),
    path("me/otp", views.MeOtpApi.as_view(), name="me-otp"),
    path("me/pin", views.MePinApi.as_view(), name="me-pin"),
    path("me/kyc", views.MeKycApi.as_view(), name="me-kyc"),
    path("me/consents", views.MeConsentListApi.as_view(), name="me-consents"),
    path("me/consents/<str:purpose>", views.MeConsentWithdrawApi.as_view(), name="me-consent-withdraw"),
    path("me/devices", views.MeDeviceListApi.as_view(), name="me-devices"),
    path("me/devices/<uuid:public_id>", views.MeDeviceDetailApi.as_view(), name="me-device-detail"),
    path("me/passkeys", passkeys.MePasskeyListApi.as_view(), name="me-passkeys"),
    path("me/passkeys/options", passkeys.MePasskeyOptionsApi.as_view(), name="me-passkeys-options"),
    path(
        "me/passkeys/payment-options",
        passkeys.MePasskeyPaymentOptionsApi.as_view(),
        name="me-passkeys-payment-options",
    ),
    path("me/passkeys/<uuid:public_id>", passkeys.MePasskeyDetailApi.as_view(), name="me-passkey-detail"),
    path("cards", views.CardListApi.as_view(), name="cards"),
    path("cards/<uuid:public_id>", views.CardDetailApi.as_view(), name="card-detail"),
    path("consent-texts", views_reference.ConsentTextListApi.as_view(), name="consent-texts"),
    path("kyc/tiers", views_reference.KycTierListApi.as_view(), name="kyc-tiers"),
]
