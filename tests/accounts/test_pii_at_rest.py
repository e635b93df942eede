"""Personal data at rest: raw SQL finds no plaintext, no card number anywhere, keys rotate."""

from __future__ import annotations

import json
import re
from datetime import date
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from accounts.models import Customer
from accounts.services import customer_register_at_counter
from core.validators import card_numbers_in
from tests.accounts.conftest import bearer_client, otp_for, register_payload
from tests.accounts.factories import national_id
from tests.factories import PAYMENT_PIN, BranchFactory, CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")
CARD_NUMBER = "6222021234567890123"


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s) ORDER BY table_name, column_name",
            [list(TEXT_TYPES)],
        )
        return cursor.fetchall()


def rows_matching(pattern: str) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text/varchar/json cell matching a PostgreSQL regex."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f"SELECT {quote(column)}::text FROM {quote(table)} WHERE {quote(column)}::text ~ %s", [pattern]
            )
            found += [(table, column, value) for (value,) in cursor.fetchall()]
    return found


_HEX_TOKEN = re.compile(r"[0-9a-f]{32,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def digit_runs(value: str) -> list[str]:
    """12+ digit runs outside hashes and UUIDs (a hex digest may hold 12 decimal digits in a row by chance)."""
    cleaned = _HEX_TOKEN.sub(lambda m: "#" if re.search(r"[a-f]", m.group(), re.I) else m.group(), value)
    return re.findall(r"\d{12,}", cleaned)


def _make_customers() -> dict[str, str]:
    """One customer through the API (register + KYC) and one at the counter; returns their plaintexts."""
    from rest_framework.test import APIClient

    client = APIClient()
    phone = "+8613955554444"
    body = client.post("/api/v1/auth/register", register_payload(phone, otp_for(client, phone, "REGISTER"))).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    api_id = national_id("11010519950307123")
    assert client.post("/api/v1/me/kyc", {"legal_name": "欧阳娜娜", "national_id": api_id}).status_code == 200

    branch = BranchFactory()
    teller = StaffFactory(roles=["TELLER"], branch=branch)
    counter_id = national_id("31010419880112345")
    customer_register_at_counter(
        staff=teller,
        phone="13966667777",
        legal_name="司马相如",
        national_id=counter_id,
        date_of_birth=date(1988, 1, 12),
        customer_type=Customer.Type.SMALL_BUSINESS,
        business_name="相如茶庄",
        business_registration_no="91310104MA1FL0XX3K",
    )
    return {
        "phone_api": phone,
        "phone_api_national": phone[3:],
        "name_api": "欧阳娜娜",
        "id_api": api_id,
        "phone_counter": "13966667777",
        "name_counter": "司马相如",
        "id_counter": counter_id,
        "brn": "91310104MA1FL0XX3K",
    }


def test_raw_rows_hold_no_plaintext_personal_data_in_any_table():
    secrets = _make_customers()
    assert Customer.objects.count() == 2

    leaks = {label: rows_matching(re.escape(value)) for label, value in secrets.items()}

    assert leaks == {key: [] for key in secrets}
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, legal_name, national_id FROM accounts_customer")
        for row in cursor.fetchall():
            assert all(value.startswith("gAAAA") for value in row)  # Fernet tokens


def test_after_linking_a_card_no_12_digit_run_exists_in_any_table():
    _make_customers()
    client = bearer_client(CustomerFactory())
    linked = client.post(
        "/api/v1/cards",
        {
            "gateway_token": "gw_tok_5d1e77aa",
            "bank_name": "招商银行",
            "last4": CARD_NUMBER[-4:],
            "card_type": "CREDIT",
            "pin": PAYMENT_PIN,
        },
    )
    refused = client.post(
        "/api/v1/cards",
        {"gateway_token": CARD_NUMBER, "bank_name": "招商银行", "last4": "0123", "card_number": CARD_NUMBER},
    )
    assert linked.status_code == 201 and refused.status_code == 400

    candidates = rows_matching(r"[0-9]{12,}")
    runs = [(table, column, run) for table, column, value in candidates for run in digit_runs(value)]

    assert runs == []
    assert rows_matching(CARD_NUMBER) == []
    assert len(text_columns()) > 50  # really scanned the whole schema


LUHN_CARD = "6222021234567890128"  # a Luhn-valid 19-digit card number


def card_numbers_at_rest() -> list[tuple[str, str, str]]:
    """(table, column, card number) for every Luhn-valid 13–19 digit sequence, spaced or not, in any text cell."""
    found = []
    for table, column, value in rows_matching(r"[0-9０-９]"):
        for text in _texts(value):  # a JSON cell is scanned value by value: '"…9765", "0000"' is two values
            cleaned = _HEX_TOKEN.sub(lambda m: "#" if re.search(r"[a-f]", m.group(), re.I) else m.group(), text)
            found += [(table, column, number) for number in card_numbers_in(cleaned)]
    return found


def _texts(value: str) -> list[str]:
    """The cell itself, or each key and leaf value of a JSON cell."""
    if value[:1] not in ("{", "["):
        return [value]
    try:
        parsed = json.loads(value)
    except ValueError:
        return [value]
    texts: list[str] = []
    stack = [parsed]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            texts += [str(key) for key in item]
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
        elif item is not None and not _ISO_DATETIME.fullmatch(str(item)):  # "11:20:34.179724+00:00" is a time
            texts.append(str(item))
    return texts


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?")


def test_card_numbers_typed_into_free_text_reach_no_column():
    from rest_framework.test import APIClient

    from payments.models import Transfer
    from tests.payments.conftest import reference_data_ensure
    from tests.payments.factories import customer_client, wallet_fund

    _make_customers()
    reference_data_ensure()
    spaced = " ".join([LUHN_CARD[:4], LUHN_CARD[4:8], LUHN_CARD[8:12], LUHN_CARD[12:16], LUHN_CARD[16:]])
    alice, bob = CustomerFactory(), CustomerFactory()
    wallet_fund(alice, "50.00")
    payer = customer_client(alice)
    attempts = {
        "memo": payer.post(
            "/api/v1/transfers",
            {"to_phone": bob.phone, "amount": "1.00", "pin": PAYMENT_PIN, "memo": f"卡号 {spaced}"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="card-in-memo-0001",
        ),
        "display_name": bearer_client(bob).patch("/api/v1/me", {"display_name": LUHN_CARD}, format="json"),
        "bank_name": bearer_client(bob).post(
            "/api/v1/cards",
            {"gateway_token": "gw_tok_5d1e77aa", "bank_name": f"招商 {spaced}", "last4": "0128", "pin": PAYMENT_PIN},
            format="json",
        ),
    }
    anonymous = APIClient()
    phone = "+8613955550002"
    attempts["device_name"] = anonymous.post(
        "/api/v1/auth/register",
        register_payload(phone, otp_for(anonymous, phone, "REGISTER"), device_name=f"phone {LUHN_CARD}"),
        format="json",
    )
    transfers_before = Transfer.objects.count()
    fine = payer.post(
        "/api/v1/transfers",
        {"to_phone": bob.phone, "amount": "1.00", "pin": PAYMENT_PIN, "memo": "午饭 card ending 0128"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="card-in-memo-0002",
    )

    assert {field: r.status_code for field, r in attempts.items()} == dict.fromkeys(attempts, 400)
    assert fine.status_code == 201 and Transfer.objects.count() == transfers_before + 1
    assert card_numbers_at_rest() == []
    assert len(text_columns()) > 50


def test_the_scan_finds_a_card_number_written_past_the_api():
    customer = CustomerFactory()

    Customer.objects.filter(pk=customer.pk).update(display_name="4111 1111 1111 1111")

    assert card_numbers_at_rest() == [("accounts_customer", "display_name", "4111111111111111")]


def test_old_key_rows_still_decrypt_and_after_rotation_only_the_new_key_is_needed(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PII_ENCRYPTION_KEYS = [old_key]
    customer = CustomerFactory(legal_name="李四", national_id=national_id())
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_customer WHERE id = %s", [customer.pk])
        (old_token,) = cursor.fetchone()

    settings.PII_ENCRYPTION_KEYS = [new_key, old_key]
    still_readable = Customer.objects.get(pk=customer.pk)
    first, second = StringIO(), StringIO()
    call_command("rotate_pii_keys", "--batch-size", "1", stdout=first)
    call_command("rotate_pii_keys", stdout=second)
    settings.PII_ENCRYPTION_KEYS = [new_key]
    rotated = Customer.objects.get(pk=customer.pk)

    assert still_readable.legal_name == "李四"
    assert "accounts.Customer.phone: re-encrypted 1" in first.getvalue()
    assert "done: 3 value(s)" in first.getvalue()  # phone, name, ID (empty fields are skipped)
    assert "done: 0 value(s)" in second.getvalue()  # idempotent
    assert (rotated.phone, rotated.legal_name, rotated.national_id) == (customer.phone, "李四", customer.national_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_customer WHERE id = %s", [customer.pk])
        (new_token,) = cursor.fetchone()
    assert new_token != old_token
    Fernet(new_key.encode()).decrypt(new_token.encode())


def test_rotation_dry_run_writes_nothing(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PII_ENCRYPTION_KEYS = [old_key]
    customer = CustomerFactory()
    settings.PII_ENCRYPTION_KEYS = [new_key, old_key]
    out = StringIO()

    call_command("rotate_pii_keys", "--dry-run", stdout=out)

    assert "would re-encrypt 1" in out.getvalue()
    settings.PII_ENCRYPTION_KEYS = [old_key]
    assert Customer.objects.get(pk=customer.pk).phone == customer.phone
