"""Demo data for the accounts app: branches, one staff user per role, five customers. Idempotent.

Development only: the printed passwords, PINs and TOTP keys are fixed so a demo is repeatable.
``core.management.commands.seed_demo`` runs ``seed`` inside a transaction.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TextIO

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.utils import timezone

from accounts.consent_texts import CONSENT_TEXTS
from accounts.models import Branch, Consent, Customer, KycTier, StaffProfile, StaffRole, StaffTOTPDevice
from accounts.pii import _ID_CHECK, _ID_WEIGHTS, national_id_index, phone_index

DEMO_STAFF_PASSWORD = "Tongbao-Staff-2026!"
DEMO_CUSTOMER_PASSWORD = "Wallet-Demo-2026!"
DEMO_CUSTOMER_PIN = "135790"

# code, name, region, parent code
BRANCHES = [
    ("HQ001", "总行", "全国", None),
    ("BJ001", "北京分行", "北京", "HQ001"),
    ("SH001", "上海分行", "上海", "HQ001"),
    ("BJ002", "北京朝阳支行", "北京", "BJ001"),
]

# username, role, branch code (bank-wide roles sit at head office)
STAFF = [
    ("teller.bj", StaffRole.TELLER, "BJ001"),
    ("service.bj", StaffRole.CUSTOMER_SERVICE, "BJ001"),
    ("manager.bj", StaffRole.BRANCH_MANAGER, "BJ001"),
    ("teller.sh", StaffRole.TELLER, "SH001"),
    ("risk", StaffRole.RISK_OFFICER, "HQ001"),
    ("marketing", StaffRole.MARKETING, "HQ001"),
    ("auditor", StaffRole.AUDITOR, "HQ001"),
    ("administrator", StaffRole.ADMINISTRATOR, "HQ001"),
]

# phone, legal name, first 17 digits of the ID, date of birth, branch code
CUSTOMERS = [
    ("+8613900000001", "王小明", "11010519950307123", date(1995, 3, 7), "BJ001"),
    ("+8613900000002", "李娜", "11010520000815234", date(2000, 8, 15), "BJ002"),
    ("+8613900000003", "张伟", "31010419880112345", date(1988, 1, 12), "SH001"),
    ("+8613900000004", "刘芳", "31010419920520456", date(1992, 5, 20), "SH001"),
    ("+8613900000005", "陈静", "11010519751230567", date(1975, 12, 30), "BJ001"),
]


def _with_check_digit(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]


def demo_totp_key(username: str) -> str:
    """A fixed 20-byte hex secret per demo user, so printed otpauth URIs stay valid across runs."""
    return hashlib.sha256(f"tongbao-demo-totp:{username}".encode()).hexdigest()[:40]


def _seed_branches() -> dict[str, Branch]:
    branches: dict[str, Branch] = {}
    for code, name, region, parent in BRANCHES:
        branch, _ = Branch.objects.get_or_create(
            code=code, defaults={"name": name, "region": region, "parent": branches.get(parent or "")}
        )
        branches[code] = branch
    return branches


def _seed_staff(branches: dict[str, Branch], stdout: TextIO) -> None:
    stdout.write(f"Demo staff (password for all: {DEMO_STAFF_PASSWORD}):\n")
    password_hash = ""  # one argon2 hash shared by every demo staff user (each costs ~0.1 s)
    for number, (username, role, branch_code) in enumerate(STAFF, start=1):
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            password_hash = password_hash or make_password(DEMO_STAFF_PASSWORD)
            user.password = password_hash
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role.value))
        StaffProfile.objects.get_or_create(
            user=user, defaults={"branch": branches[branch_code], "employee_no": f"DEMO{number:04d}"}
        )
        device, _ = StaffTOTPDevice.objects.get_or_create(
            user=user, name="demo authenticator", defaults={"key": demo_totp_key(username), "confirmed": True}
        )
        stdout.write(f"  {username:<14} {role.value:<17} {branch_code}  TOTP: {device.config_url}\n")


def _seed_customers(branches: dict[str, Branch], stdout: TextIO) -> None:
    password_hash = pin_hash = ""
    tier = KycTier.objects.get(level=2)
    now = timezone.now()
    stdout.write(f"Demo customers (password for all: {DEMO_CUSTOMER_PASSWORD}, payment PIN: {DEMO_CUSTOMER_PIN}):\n")
    for phone, name, id17, dob, branch_code in CUSTOMERS:
        national_id = _with_check_digit(id17)
        customer = Customer.objects.filter(phone_index=phone_index(phone)).first()
        if customer is None:
            password_hash = password_hash or make_password(DEMO_CUSTOMER_PASSWORD)
            pin_hash = pin_hash or make_password(DEMO_CUSTOMER_PIN, hasher="pin_hmac_sha256")
            customer = Customer.objects.create(
                phone=phone,
                phone_index=phone_index(phone),
                legal_name=name,
                national_id=national_id,
                national_id_index=national_id_index(national_id),
                date_of_birth=dob,
                kyc_tier=tier,
                home_branch=branches[branch_code],
                onboarding_channel=Customer.Channel.APP,
                password=password_hash,
                payment_pin=pin_hash,
                phone_verified_at=now,
                kyc_verified_at=now,
            )
            for purpose in Consent.Purpose.values:
                Consent.objects.create(customer=customer, purpose=purpose, version=CONSENT_TEXTS[purpose].version)
        stdout.write(f"  {phone}  {name}  {branch_code}  public_id={customer.public_id}\n")


def seed(stdout: TextIO) -> None:
    """Create what is missing; change nothing that exists. Refuses to run in production."""
    if getattr(settings, "IS_PRODUCTION", True):
        stdout.write("accounts demo data is not created in production.\n")
        return
    branches = _seed_branches()
    _seed_staff(branches, stdout)
    _seed_customers(branches, stdout)
