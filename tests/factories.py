"""Shared factories (factory_boy). Apps add their own in tests/<app>/factories.py."""

from __future__ import annotations

import itertools

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from accounts.models import Branch, Customer, KycTier, LinkedCard, StaffProfile
from accounts.pii import phone_index

_phones = itertools.count(13800000000)

# One hash computed once: argon2 per factory call would dominate test time.
CUSTOMER_PASSWORD = "Correct-Horse-42"
_CUSTOMER_PASSWORD_HASH = make_password(CUSTOMER_PASSWORD)
PAYMENT_PIN = "246810"
_PAYMENT_PIN_HASH = make_password(PAYMENT_PIN, hasher="pin_hmac_sha256")
STAFF_PASSWORD = "Staff-Password-2026"
_STAFF_PASSWORD_HASH = make_password(STAFF_PASSWORD)


def next_phone() -> str:
    return f"+86{next(_phones)}"


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"BR{n:04d}")
    name = factory.Sequence(lambda n: f"Branch {n}")
    region = "Beijing"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    phone = factory.LazyFunction(next_phone)
    phone_index = factory.LazyAttribute(lambda o: phone_index(o.phone))
    legal_name = "张三"
    kyc_tier = factory.LazyFunction(lambda: KycTier.objects.get(level=2))
    home_branch = factory.SubFactory(BranchFactory)
    password = _CUSTOMER_PASSWORD_HASH
    payment_pin = _PAYMENT_PIN_HASH


class LinkedCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LinkedCard

    customer = factory.SubFactory(CustomerFactory)
    gateway_token = factory.Sequence(lambda n: f"tok_{n:012d}")
    bank_name = "中国工商银行"
    last4 = "4242"


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff user with a branch and roles: ``StaffFactory(roles=["TELLER"], branch=b)``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = _STAFF_PASSWORD_HASH

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=role))

    @factory.post_generation
    def branch(self, create: bool, extracted: Branch | None, **kwargs: object) -> None:
        StaffProfile.objects.create(user=self, branch=extracted, employee_no=f"E{self.pk:06d}")
