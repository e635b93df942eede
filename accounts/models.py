"""People and organisation: branches, staff, customers, KYC tiers, consents, devices, cards, tokens.

Personal data (phone, legal name, national ID, business registration number) is encrypted at
rest (``core.crypto.EncryptedTextField``); look-ups go through keyed hashes (``*_index``).
Customers are not Django users: staff are ``auth.User`` with a ``StaffProfile``; customers
authenticate with API tokens (``accounts.authentication``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device as OtpDevice
from django_otp.models import ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.plugins.otp_totp.models import default_key as totp_default_key
from django_otp.plugins.otp_totp.models import key_validator as totp_key_validator

from accounts.pii import mask_name, mask_phone
from core.crypto import EncryptedTextField
from core.models import TimeStampedModel


class Branch(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent branch"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StaffRole(models.TextChoices):
    """Each role is a Django group of the same name (created by a migration)."""

    TELLER = "TELLER", _("Teller")
    CUSTOMER_SERVICE = "CUSTOMER_SERVICE", _("Customer service")
    BRANCH_MANAGER = "BRANCH_MANAGER", _("Branch manager")
    RISK_OFFICER = "RISK_OFFICER", _("Risk officer")
    MARKETING = "MARKETING", _("Marketing")
    AUDITOR = "AUDITOR", _("Auditor")
    ADMINISTRATOR = "ADMINISTRATOR", _("Administrator")


BANK_WIDE_ROLES = frozenset({StaffRole.RISK_OFFICER, StaffRole.MARKETING, StaffRole.AUDITOR, StaffRole.ADMINISTRATOR})


class StaffProfile(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("user")
    )
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name=_("branch")
    )
    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.employee_no} {self.user.get_username()}"


# The names migration 0002 gives the seeded tiers: data, translated when shown (a renamed tier shows as typed).
KYC_TIER_SEEDED_NAMES = (gettext_noop("Unverified"), gettext_noop("Basic"), gettext_noop("Full"))


class KycTier(models.Model):
    """Limits per KYC level, in CNY minor units, editable by administrators; payments enforce them."""

    level = models.PositiveSmallIntegerField(_("level"), primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    per_transaction_limit_minor = models.BigIntegerField(_("per-transaction limit (minor units)"))
    daily_limit_minor = models.BigIntegerField(_("daily limit (minor units)"))
    monthly_limit_minor = models.BigIntegerField(_("monthly limit (minor units)"))
    balance_cap_minor = models.BigIntegerField(_("balance cap (minor units)"))
    passkey_replaces_pin = models.BooleanField(
        _("passkey may replace the payment PIN"),
        default=False,
        help_text=_("A verified passkey (fingerprint or face) confirms a payment without the PIN at this tier."),
    )

    class Meta:
        ordering = ["level"]
        verbose_name = _("KYC tier")
        verbose_name_plural = _("KYC tiers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    per_transaction_limit_minor__gte=0,
                    daily_limit_minor__gte=0,
                    monthly_limit_minor__gte=0,
                    balance_cap_minor__gte=0,
                ),
                name="kyc_tier_limits_non_negative",
            )
        ]

    def __str__(self) -> str:
        name = gettext(self.name) if self.name in KYC_TIER_SEEDED_NAMES else self.name
        return f"{self.level} {name}"


class Customer(TimeStampedModel):
    class Type(models.TextChoices):
        INDIVIDUAL = "INDIVIDUAL", _("Individual")
        SMALL_BUSINESS = "SMALL_BUSINESS", _("Small business")

    class Channel(models.TextChoices):
        APP = "APP", _("App")
        BRANCH = "BRANCH", _("Branch counter")
        REFERRAL = "REFERRAL", _("Referral")

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", _("Active")
        FROZEN = "FROZEN", _("Frozen")
        CLOSED = "CLOSED", _("Closed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    phone = EncryptedTextField(_("phone"))  # E.164
    phone_index = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("phone index"))
    legal_name = EncryptedTextField(_("legal name"), blank=True)
    national_id = EncryptedTextField(_("national ID number"), blank=True)
    national_id_index = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False, verbose_name=_("national id index")
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    customer_type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.INDIVIDUAL)
    business_name = models.CharField(_("business name"), max_length=200, blank=True)
    business_registration_no = EncryptedTextField(_("business registration number"), blank=True)
    kyc_tier = models.ForeignKey(
        KycTier, on_delete=models.PROTECT, default=0, related_name="customers", verbose_name=_("KYC tier")
    )
    home_branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="customers", verbose_name=_("home branch")
    )
    onboarding_channel = models.CharField(
        _("onboarding channel"), max_length=20, choices=Channel.choices, default=Channel.APP
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_customers",
        verbose_name=_("registered by"),
    )
    referred_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("referred by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    status_reason = models.TextField(_("status reason"), blank=True)
    password = models.CharField(
        max_length=256, editable=False, verbose_name=_("password")
    )  # Django hasher format (argon2)
    payment_pin = models.CharField(max_length=256, blank=True, editable=False, verbose_name=_("payment pin"))
    pin_failed_attempts = models.PositiveSmallIntegerField(
        default=0, editable=False, verbose_name=_("pin failed attempts")
    )
    pin_locked_until = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("pin locked until"))
    phone_verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("phone verified at"))
    kyc_verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("kyc verified at"))
    display_name = models.CharField(_("display name"), max_length=40, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("reveal_customer_pii", "Can reveal a customer's personal data (audited)"),
            ("change_customer_branch", "Can move a customer to another home branch (audited, with a reason)"),
        ]
        indexes = [models.Index(fields=["home_branch", "created_at"])]

    def __str__(self) -> str:
        return self.masked_label()

    def masked_label(self, *, with_phone: bool = True) -> str:
        """``张* 138****5678``: masked name (legal, else business, else display name) and masked phone.

        What the admin shows wherever a customer is named (lists, raw-id labels, ledger accounts);
        the full values are only behind the audited reveal."""
        name = mask_name(self.legal_name or self.business_name or self.display_name or "")
        phone = mask_phone(self.phone) if with_phone and self.phone else ""
        return " ".join(part for part in (name, phone) if part) or f"{_('Customer')} {str(self.public_id)[:8]}"

    # DRF treats whatever authentication returns as request.user.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Device(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public id"))
    # No index of its own: the unique (customer, device_id) index leads with it (accounts 0010).
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="devices", verbose_name=_("customer"), db_index=False
    )
    device_id = models.CharField(_("device id"), max_length=128)
    name = models.CharField(_("name"), max_length=100, blank=True)
    trusted = models.BooleanField(_("trusted"), default=False)
    first_seen_at = models.DateTimeField(default=timezone.now, verbose_name=_("first seen at"))
    last_seen_at = models.DateTimeField(default=timezone.now, verbose_name=_("last seen at"))

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [models.UniqueConstraint(fields=["customer", "device_id"], name="device_unique_per_customer")]

    def __str__(self) -> str:
        return self.name or self.device_id


class CustomerToken(models.Model):
    """An API token: only its SHA-256 is stored; one live token per device."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("customer"))
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("device"))
    key_hash = models.CharField(max_length=64, unique=True, verbose_name=_("key hash"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        verbose_name = _("customer token")
        verbose_name_plural = _("customer tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=models.Q(revoked_at__isnull=True), name="one_live_token_per_device"
            )
        ]

    def __str__(self) -> str:
        return f"token {self.pk}"


class Consent(models.Model):
    class Purpose(models.TextChoices):
        TERMS = "TERMS", _("Terms of service")
        PRIVACY = "PRIVACY", _("Privacy policy")
        MARKETING = "MARKETING", _("Marketing")
        DATA_ANALYSIS = "DATA_ANALYSIS", _("Data analysis")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="consents", verbose_name=_("customer")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    version = models.CharField(_("text version"), max_length=20)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [
            models.Index(
                fields=["purpose", "customer"], condition=models.Q(withdrawn_at__isnull=True), name="consent_live_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.version}"


class LinkedCard(TimeStampedModel):
    """A bank card linked through the gateway. The full number is never stored: token, bank, last 4."""

    class CardType(models.TextChoices):
        DEBIT = "DEBIT", _("Debit")
        CREDIT = "CREDIT", _("Credit")

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", _("Active")
        REMOVED = "REMOVED", _("Removed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public id"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cards", verbose_name=_("customer"))
    gateway_token = models.CharField(max_length=128, unique=True, verbose_name=_("gateway token"))
    bank_name = models.CharField(_("bank"), max_length=100)
    last4 = models.CharField(_("last 4 digits"), max_length=4)
    card_type = models.CharField(_("card type"), max_length=10, choices=CardType.choices, default=CardType.DEBIT)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = _("linked card")
        verbose_name_plural = _("linked cards")

    def __str__(self) -> str:
        return f"{self.bank_name} ****{self.last4}"


class OtpChallenge(models.Model):
    """A one-time code sent by SMS: stored hashed, short-lived, single use, limited attempts."""

    class Purpose(models.TextChoices):
        REGISTER = "REGISTER", _("Registration")
        LOGIN = "LOGIN", _("New device login")
        RESET_PASSWORD = "RESET_PASSWORD", _("Password reset")
        STEP_UP = "STEP_UP", _("Step-up verification")

    phone_index = models.CharField(max_length=64, db_index=True, verbose_name=_("phone index"))
    purpose = models.CharField(max_length=20, choices=Purpose.choices, verbose_name=_("purpose"))
    code_hash = models.CharField(max_length=256, verbose_name=_("code hash"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    consumed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("consumed at"))
    request_ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("request ip"))

    class Meta:
        verbose_name = _("OTP challenge")
        verbose_name_plural = _("OTP challenges")

    def __str__(self) -> str:
        return f"{self.purpose} challenge {self.pk}"


class KycReview(models.Model):
    """A KYC submission that the verifier matched but whose ID number another customer already holds.

    Branch staff decide (a second account of the same person, identity theft, a data error). The
    submitter is told only that the verification is under review, never whose the ID is.
    """

    class Reason(models.TextChoices):
        DUPLICATE_IDENTITY = "DUPLICATE_IDENTITY", _("ID number already held by another customer")

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        APPROVED = "APPROVED", _("Approved")
        REJECTED = "REJECTED", _("Rejected")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="kyc_reviews", verbose_name=_("customer")
    )
    existing_customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer already holding the ID")
    )
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    legal_name = EncryptedTextField(_("legal name"))
    national_id = EncryptedTextField(_("national ID number"))
    verifier_reference = models.CharField(_("verifier reference"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("KYC review")
        verbose_name_plural = _("KYC reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=models.Q(status="OPEN"), name="accounts_kycreview_one_open_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"{_('KYC review')} {self.pk}"


class StaffChangeRequest(models.Model):
    """Maker-checker for staff accounts: one administrator asks, a second, independent one approves.

    Applied by ``accounts.services.staff.staff_change_approve`` under ``SELECT ... FOR UPDATE``. The new
    password of a ``SET_PASSWORD`` / ``CREATE_STAFF`` request is kept only as a password hash and is
    cleared once the request is decided; TOTP keys are generated at approval and never stored here.
    """

    class Kind(models.TextChoices):
        CREATE_STAFF = "CREATE_STAFF", _("Create a staff account")
        SET_ROLES = "SET_ROLES", _("Set roles")
        SET_PASSWORD = "SET_PASSWORD", _("Reset password")
        ADD_TOTP = "ADD_TOTP", _("Enrol an authenticator")
        REMOVE_TOTP = "REMOVE_TOTP", _("Remove an authenticator")
        REMOVE_PASSKEY = "REMOVE_PASSKEY", _("Remove a passkey")
        SET_BRANCH = "SET_BRANCH", _("Move to another branch")
        SET_ACTIVE = "SET_ACTIVE", _("Activate or deactivate")

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        APPLIED = "APPLIED", _("Approved and applied")
        REJECTED = "REJECTED", _("Rejected")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_change_requests",
        verbose_name=_("staff member"),
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    password_hash = models.CharField(
        max_length=256, blank=True, default="", editable=False, verbose_name=_("password hash")
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True, default="")

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("staff change request")
        verbose_name_plural = _("staff change requests")
        indexes = [models.Index(fields=["target", "status", "decided_at"], name="staff_change_target_idx")]

    def __str__(self) -> str:
        who = self.target.get_username() if self.target is not None else self.details.get("username", "?")
        return f"{self.get_kind_display()} {who} #{self.pk}"


class StaffTOTPDevice(TimestampMixin, ThrottlingMixin, OtpDevice):
    """A staff authenticator (TOTP, RFC 6238) whose secret is Fernet ciphertext at rest.

    Behaves exactly like django-otp's ``TOTPDevice`` (its verification, throttling and ``config_url``
    are reused), but ``key`` is an ``EncryptedTextField`` under ``PII_ENCRYPTION_KEYS``: Python sees
    the hex secret, the database only ciphertext; ``bin_key`` is the decrypted secret for
    verification. Migration ``0006_staffsod_*`` moved every ``otp_totp`` device here. Never render
    ``key``: the admin shows no secret after enrolment.
    """

    key = EncryptedTextField(_("secret key"), default=totp_default_key, validators=[totp_key_validator])
    step = models.PositiveSmallIntegerField(default=30, verbose_name=_("step"))
    t0 = models.BigIntegerField(default=0, verbose_name=_("t0"))
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6, verbose_name=_("digits"))
    tolerance = models.PositiveSmallIntegerField(default=1, verbose_name=_("tolerance"))
    drift = models.SmallIntegerField(default=0, verbose_name=_("drift"))
    last_t = models.BigIntegerField(default=-1, verbose_name=_("last t"))

    class Meta(OtpDevice.Meta):
        verbose_name = _("staff authenticator")
        verbose_name_plural = _("staff authenticators")

    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings


class CustomerPasskey(models.Model):
    """A customer's passkey (WebAuthn credential), registered on one trusted device of theirs.

    Only the public key is stored (COSE, as the authenticator sent it); the private key never leaves
    the phone, and the biometric that unlocks it never reaches us. ``credential_id_hash`` (SHA-256)
    finds a passkey from an assertion; ``sign_count`` only moves forward. Revoked passkeys keep their
    row (``revoked_at``): a revoked credential id is refused, never re-registered.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public id"))
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="passkeys", verbose_name=_("customer")
    )
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="passkeys", verbose_name=_("device"))
    name = models.CharField(_("name"), max_length=64, blank=True)
    credential_id = models.BinaryField(_("credential id"), max_length=1023, editable=False)
    credential_id_hash = models.CharField(_("credential id hash"), max_length=64, unique=True, editable=False)
    public_key = models.BinaryField(_("public key (COSE)"), max_length=1023, editable=False)
    user_handle = models.BinaryField(_("user handle"), max_length=64, editable=False)
    sign_count = models.BigIntegerField(_("sign count"), default=0, editable=False)
    aaguid = models.CharField(_("AAGUID"), max_length=36, blank=True, editable=False)
    backup_eligible = models.BooleanField(_("backup eligible"), default=False, editable=False)
    backup_state = models.BooleanField(_("backed up"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        indexes = [
            models.Index(
                fields=["customer", "device"], condition=models.Q(revoked_at__isnull=True), name="passkey_live_idx"
            )
        ]
        constraints = [models.CheckConstraint(condition=models.Q(sign_count__gte=0), name="passkey_sign_count_gte_0")]

    def __str__(self) -> str:
        label = _("Passkey")
        return self.name or f"{label} {str(self.public_id)[:8]}"


class WebAuthnChallenge(models.Model):
    """A WebAuthn challenge: single use, bound to a purpose and a subject, expiring.

    Consumed by one ``DELETE ... WHERE id = .. AND purpose = .. AND expires_at > now() RETURNING``
    (``accounts.services.webauthn.challenge_consume``), so of any number of parallel uses exactly one
    gets it. The subject is the customer (and their device) or the staff user; a sign-in challenge
    of a customer not yet known is bound to the app's device id; a payment challenge to the payment's
    fingerprint (``binding``), which is also the tail of the challenge bytes the authenticator signs.
    """

    class Purpose(models.TextChoices):
        CUSTOMER_REGISTER = "CUSTOMER_REGISTER", _("Customer passkey registration")
        CUSTOMER_LOGIN = "CUSTOMER_LOGIN", _("Customer passkey sign-in")
        CUSTOMER_PAYMENT = "CUSTOMER_PAYMENT", _("Customer payment confirmation")
        STAFF_REGISTER = "STAFF_REGISTER", _("Staff passkey enrolment")
        STAFF_LOGIN = "STAFF_LOGIN", _("Staff passkey sign-in")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    challenge = models.BinaryField(_("challenge"), max_length=128, editable=False)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("device")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("staff user"),
    )
    device_key = models.CharField(_("app device id"), max_length=128, blank=True)
    binding = models.CharField(_("binding"), max_length=64, blank=True)
    user_handle = models.BinaryField(_("user handle"), max_length=64, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("WebAuthn challenge")
        verbose_name_plural = _("WebAuthn challenges")

    def __str__(self) -> str:
        return f"{self.purpose} {self.pk}"
