"""Request and response examples and shared documentation text of the payments API (``core.api_docs``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample

AT = "2026-11-30T08:15:30.123456Z"
WALLET_ID = "0c4f3e2d-1b0a-4c9d-8e7f-6a5b4c3d2e1f"
CARD_ID = "5d1e9f20-7c3b-4a8e-b6d4-0f1e2d3c4b5a"
TRANSFER_ID = "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918"
MERCHANT_ID = "2a3b4c5d-6e7f-4081-92a3-b4c5d6e7f809"
PAGE_END: dict[str, Any] = {"next_cursor": None, "previous_cursor": None, "next": None, "previous": None}


def money(amount: str, currency: str = "CNY") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


def page(*items: Any) -> dict[str, Any]:
    return {"results": list(items), **PAGE_END}


# --- limits, documented on every money endpoint (issue 16) ---------------------------------------
LIMITS_OUT = (
    "\n\n**Limits.** Counts against the customer's KYC tier (`GET /api/v1/kyc/tiers`): per transaction, per "
    "calendar day and per calendar month (Asia/Shanghai), in CNY; another currency counts at its CNY "
    "equivalent (mid rate). Over a limit: 403 `limit_exceeded` (`details` names the limit); tier 0: 403 "
    "`kyc_required`. The available balance must cover it (422 `insufficient_funds`). Amounts: decimal strings, "
    "at most the currency's decimals, at most 10^13 units."
)
LIMITS_IN = (
    "\n\n**Limits.** The receiving wallet's balance may not pass the tier's balance cap (403 `balance_cap_exceeded`)."
)
PIN_AND_KEY = (
    "\n\n**Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first "
    "result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423 "
    "`payment_pin_locked` for 30 minutes), or a passkey in `passkey` (`challenge_id` from `POST "
    "/api/v1/me/passkeys/payment-options`, asked for this amount, currency, payee and Idempotency-Key, and "
    "the authenticator's `credential`): it replaces the PIN where the account's KYC tier allows it "
    "(`GET /api/v1/kyc/tiers`), else it is sent with the PIN (400 `pin_required`)."
)

STEP_UP = (
    "\n\n**Step-up.** When the fraud checks want a second factor (a large amount, a new payee, a phone signed "
    "in for the first time recently, a risk flag on the account), the answer is 403 `step_up_required`; nothing moves and nothing is stored under the key. "
    "`details`: `reason_code`, `challenge_id`, `expires_at`, `sms_sent`, `resend_after_seconds`; an SMS code "
    "naming the amount goes to the customer's phone (it confirms this payment only). Confirm it with `POST /api/v1/risk/challenges/{challenge_id}/confirm`, then "
    "send the same request again (same Idempotency-Key, same body) with `step_up_challenge`: used once, by this "
    "customer, for this payment and amount, before `expires_at`. Sent again before it is confirmed, the request "
    "gets the same challenge (its code is sent again once a minute has passed: `sms_sent`). A challenge for another payment or amount, expired or used: 403 "
    "`step_up_required` with `reason_code` `STEP_UP_CHALLENGE_INVALID` and a new challenge. A passkey that "
    "confirms the payment satisfies the step-up."
)
STEP_UP_REQUIRED = OpenApiExample(
    "StepUpRequiredWithChallenge",
    value={
        "code": "step_up_required",
        "message": "You have not paid this recipient before: confirm with the code we send to your phone.",
        "details": {
            "reason_code": "NEW_PAYEE",
            "challenge_id": "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            "expires_at": AT,
            "sms_sent": True,
            "resend_after_seconds": 60,
        },
        "request_id": "6f1c2a9e4b7d4e0f9a3b5c7d1e2f3a4b",
    },
    status_codes=["403"],
    response_only=True,
)

PIN_ONLY = (
    "\n\n**Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first "
    "result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423 "
    "`payment_pin_locked` for 30 minutes)."
)

PASSKEY_ERRORS: list[str | tuple[str, int]] = [
    "pin_required",
    "passkey_challenge_invalid",
    ("passkey_rejected", 403),
    ("passkey_counter_invalid", 403),
]

MONEY_ERRORS = [
    "invalid_request",
    "malformed_request",
    "idempotency_key_missing",
    "idempotency_key_invalid",
    "invalid_amount",
    "too_many_decimals",
    "amount_too_large",
    "amount_not_positive",
    "unknown_currency",
    "payment_pin_not_set",
    "payment_pin_invalid",
    "account_frozen",
    "account_closed",
    "kyc_required",
    "limit_exceeded",
    "risk_refused",
    "idempotency_in_flight",
    "idempotency_key_reused",
    "insufficient_funds",
    "payment_pin_locked",
    "throttled",
    "service_unavailable",
]

BALANCE = {"posted": money("1280.50"), "pending": money("0.00"), "available": money("1280.50")}
WALLET = {"id": WALLET_ID, "currency": "CNY", "kind": "CUSTOMER_WALLET", "status": "ACTIVE", "balance": BALANCE}

TRANSFER_IN = {"to_phone": "+8613800138000", "amount": "88.00", "currency": "CNY", "pin": "482915", "memo": "晚饭"}
TRANSFER_OUT = {
    "id": TRANSFER_ID,
    "status": "COMPLETED",
    "kind": "P2P",
    "amount": money("88.00"),
    "to": {"name": "李*", "phone": "138****8000"},
    "memo": "晚饭",
    "created_at": AT,
    "balance_after": money("1192.50"),
}
COUNTERPARTY_PERSON = {"id": WALLET_ID, "kind": "CUSTOMER_WALLET", "name": "李*", "phone": "138****8000"}
HISTORY_ITEM = {
    "transaction_id": TRANSFER_ID,
    "entry_id": 4211,
    "kind": "P2P",
    "direction": "out",
    "amount": money("-88.00"),
    "balance_after": money("1192.50"),
    "counterparty": COUNTERPARTY_PERSON,
    "memo": "晚饭",
    "reason_code": "",
    "created_at": AT,
}
HISTORY_PAGE = {
    "results": [HISTORY_ITEM],
    "next_cursor": "ZnwyMDI2LTExLTMwVDA4OjE1OjMwLjEyMzQ1NiswMDowMHw0MjEx",
    "previous_cursor": None,
    "next": "https://wallet.example/api/v1/transactions?cursor=ZnwyMDI2LTExLTMwVDA4OjE1OjMwLjEyMzQ1NiswMDowMHw0MjEx",
    "previous": None,
}
TRANSACTION = {
    "id": TRANSFER_ID,
    "kind": "TOPUP",
    "memo": "",
    "reference": "TU5F2A9C0D1E3B4A7C",
    "reason_code": "",
    "reverses": None,
    "created_at": AT,
    "postings": [
        {
            "account": {"id": WALLET_ID, "kind": "CUSTOMER_WALLET", "name": "*小明", "phone": "139****5678"},
            "own": True,
            "amount": money("500.00"),
            "balance_after": money("1280.50"),
        },
        {
            "account": {
                "id": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
                "kind": "SETTLEMENT",
                "name": "Bank card",
                "phone": "",
            },
            "own": False,
            "amount": money("-500.00"),
            "balance_after": None,
        },
    ],
    "saved": None,
    "benefits": [],
}
CSV_EXAMPLE = (
    "created_at,transaction_id,kind,direction,amount,currency,balance_after,counterparty,memo\r\n"
    f"2026-11-30T16:15:30+08:00,{TRANSFER_ID},P2P,out,-88.00,CNY,1192.50,李*,晚饭\r\n"
)

FUNDING_IN = {"card": CARD_ID, "amount": "500.00", "currency": "CNY", "pin": "482915"}
FUNDING_OUT = {
    "id": "4c3b2a19-0817-4f6e-9d5c-4b3a29180716",
    "reference": "TU5F2A9C0D1E3B4A7C",
    "status": "PENDING",
    "amount": money("500.00"),
    "card": {"id": CARD_ID, "bank": "招商银行", "last4": "4821"},
    "failure_code": "",
    "created_at": AT,
    "completed_at": None,
}
FUNDING_DONE = {**FUNDING_OUT, "status": "COMPLETED", "completed_at": AT}
CALLBACK_IN = {
    "operation": "CHARGE",
    "reference": "TU5F2A9C0D1E3B4A7C",
    "gateway_ref": "GW20261130000123",
    "status": "SUCCEEDED",
    "amount": "500.00",
    "currency": "CNY",
}

QR_STATIC = "TBPAY1.eyJjIjoiQ05ZIiwibSI6IjJhM2I0YzVkLTZlN2YtNDA4MS05MmEzLWI0YzVkNmU3ZjgwOSIsInYiOjF9.c2lnbmF0dXJl"
MERCHANT = {"id": MERCHANT_ID, "name": "老王面馆", "category": "DINING"}
PAYMENT_IN = {"qr": QR_STATIC, "amount": "36.00", "currency": "CNY", "pin": "482915"}
PAYMENT_OUT = {
    "id": "8f7e6d5c-4b3a-4291-8f7e-6d5c4b3a2910",
    "transfer_id": TRANSFER_ID,
    "status": "COMPLETED",
    "merchant": MERCHANT,
    "order_id": None,
    "amount": money("36.00"),
    "discount": money("5.00"),
    "paid": money("31.00"),
    "benefits": [
        {
            "campaign": "3c2b1a09-8f7e-4d6c-9b5a-493827160a5b",
            "kind": "SPEND_THRESHOLD",
            "name": "满30减5",
            "status": "APPLIED",
            "reason": "",
            "amount": money("5.00"),
        },
        {
            "campaign": "4d3c2b1a-098f-4e7d-8c6b-5a4938271605",
            "kind": "LIMITED_TIME",
            "name": "午市限时立减",
            "status": "SKIPPED",
            "reason": "stacking_group",
            "amount": money("0.00"),
        },
    ],
    "created_at": AT,
}
PREVIEW_IN = {"qr": QR_STATIC}
PREVIEW_OUT = {
    "merchant": {**MERCHANT, "category_label": "Dining"},
    "currency": "CNY",
    "amount": None,
    "amount_required": True,
    "order_id": None,
    "description": "",
    "expires_at": None,
}

BILLER = {
    "code": "SGCC-BJ",
    "name": "国网北京电力",
    "category": "ELECTRICITY",
    "currency": "CNY",
    "min_amount": money("0.01"),
    "max_amount": money("50000.00"),
    "account_number_format": {
        "kind": "electricity",
        "description": "10 to 13 digits; the last one is a check digit (Luhn).",
        "pattern": "^[0-9]{10,13}$",
        "example": "1234567897",
    },
}
BILL_IN = {"biller": "SGCC-BJ", "account_number": "1234567897", "amount": "120.00", "currency": "CNY", "pin": "482915"}
RECEIPT = {
    "id": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
    "receipt_no": "B202611300000012345",
    "transfer_id": TRANSFER_ID,
    "status": "COMPLETED",
    "biller": {"code": "SGCC-BJ", "name": "国网北京电力", "category": "ELECTRICITY"},
    "account_number": "1234567897",
    "amount": money("120.00"),
    "refunded": money("0.00"),
    "paid_at": AT,
}
REFUND = {
    "id": "3c2b1a09-f8e7-4d6c-b5a4-938271605f4e",
    "original_transfer_id": TRANSFER_ID,
    "transfer_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
    "payee": "老王面馆",
    "amount": money("36.00"),
    "reason": "Dish not served",
    "created_at": AT,
}
QUOTE_IN = {"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": "710.50"}
QUOTE = {
    "id": "1d2c3b4a-5968-4776-8594-a3b2c1d0e9f8",
    "sell": money("710.50"),
    "buy": money("99.57", "USD"),
    "rate": "0.140143291852",
    "expires_at": "2026-11-30T08:16:30.123456Z",
    "status": "OPEN",
    "transfer_id": None,
}
CONVERSION_IN = {"quote": "1d2c3b4a-5968-4776-8594-a3b2c1d0e9f8", "pin": "482915"}
CONVERSION = {**QUOTE, "status": "USED", "transfer_id": TRANSFER_ID}
SPENDING = {
    "month": "2026-11",
    "categories": [
        {"category": "DINING", "label": "Dining", "amount": money("236.00"), "count": 7},
        {"category": "BILLS_ELECTRICITY", "label": "Bills: Electricity", "amount": money("120.00"), "count": 1},
    ],
    "totals": [money("356.00")],
}
