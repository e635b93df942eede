"""Shared API plumbing for money-moving endpoints: the idempotent view base, amount parsing,
and the OpenAPI pieces (``IDEMPOTENCY_KEY_PARAMETER``, ``error_responses``) every money view uses.

Subclass ``IdempotentMoneyApi``, set a nested ``InputSerializer`` (a ``ConfirmedMoneyInput``: the
payment PIN and/or a passkey), implement ``perform(request, data) -> (status, body)`` (one service
call; raise ``DomainError`` for business failures: they are stored and replayed), and optionally
``before_execute(request, data)`` for checks that must run outside the money transaction
(``confirm_payment``: the passkey and the payment PIN).

A payment is confirmed by the payment PIN, by a passkey where the customer's KYC tier lets a passkey
replace the PIN (``KycTier.passkey_replaces_pin``), or by both. The passkey confirms exactly this
payment: its challenge (``POST me/passkeys/payment-options``) is bound to the amount, currency,
payee (``payee(data)``: ``phone:<to_phone>``, ``wallet:<uuid>``, ``qr:<qr text>``,
``bill:<biller>:<account>``, ``topup:<card uuid>``, ``withdrawal:<card uuid>``) and Idempotency-Key, and is used up by the check
(``accounts.services.passkey_payment_verify``). A retry with the key of a stored answer gets that
answer before any factor is checked.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import customer_payment_pin_verify, passkey_payment_verify, payment_pin_candidate
from accounts.services.pin import PIN_LOCK_DURATION, PIN_MAX_ATTEMPTS
from core.audit import client_ip
from core.fields import CheapFieldCopiesMixin, StrictCharField, StrictUUIDField
from core.money import Money, MoneyError
from core.money_messages import money_error_message
from payments.errors import IdempotencyKeyInvalid, IdempotencyKeyMissing, InvalidAmount, StepUpRequired
from payments.errors_movements import AmountRequired, PasskeyNotAccepted, PaymentPinRequired
from payments.hooks import step_up_issue
from payments.idempotency import (
    IDEMPOTENCY_KEY_MAX_LENGTH,
    IDEMPOTENCY_TTL,
    IdempotentResult,
    idempotency_replay_lookup,
    idempotent_execute,
    request_fingerprint,
)
from payments.ledger.money_step import MoneyRequest
from payments.step_up import StepUpInput, payment_fingerprint

__all__ = [
    "IDEMPOTENCY_KEY_PARAMETER",
    "ORIGINAL_REQUEST_ID_HEADER",
    "REPLAYED_HEADER",
    "ConfirmedMoneyInput",
    "ErrorSerializer",
    "FailOpenAnonRateThrottle",
    "FailOpenUserRateThrottle",
    "IdempotentMoneyApi",
    "MoneyAmountField",
    "MoneySerializer",
    "PasskeyConfirmationSerializer",
    "error_responses",
    "money_parse",
]

logger = logging.getLogger(__name__)

REPLAYED_HEADER = "Idempotent-Replayed"
ORIGINAL_REQUEST_ID_HEADER = "Idempotent-Original-Request-ID"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        "Unique key per intended operation (up to 255 characters), scoped to the customer and kept 24 h. "
        "Same key and same body: the original status and body again, with `Idempotent-Replayed: true`. "
        "Same key, different body: 422 `idempotency_key_reused`. Same key while the first request runs: "
        "409 `idempotency_in_flight`. Business failures (e.g. insufficient funds) are replayed too."
    ),
)

# The error format is documented once, in core (component `Error`).
from core.api_schema import ErrorSerializer, MoneySerializer, error_responses  # noqa: E402


def money_parse(amount: Any, currency: Any, *, positive: bool = True) -> Money:
    """Parse the API's decimal string into Money: floats, extra decimals, unknown currencies and
    (with ``positive``) zero or negative amounts are a 400 ``DomainError`` with a precise code."""
    try:
        money = Money.parse(amount, currency)
    except MoneyError as exc:  # its text is English for logs: the customer reads their language
        raise InvalidAmount(money_error_message(exc), code=exc.code) from None
    if positive and money.minor <= 0:
        raise InvalidAmount(_("The amount must be greater than zero."), code="amount_not_positive")
    return money


@extend_schema_field(OpenApiTypes.STR)
class MoneyAmountField(serializers.Field):
    """A decimal string amount; any JSON number (integer or float) or other type is refused with
    400 ``invalid_amount``, as the README and the schema say (DRF's CharField would silently accept
    ``12`` or ``12.34``). Whitespace is not trimmed: ``"12\n"`` is refused by ``Money.parse``."""

    default_error_messages = {"invalid": gettext_lazy("Amount must be a decimal string such as '12.34'.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise InvalidAmount(_("Amount must be a decimal string such as '12.34'."), code="invalid_amount")
        return str(data)

    def to_representation(self, value: Any) -> str:
        return str(value)


# Throttles that let money requests through while Redis is down live in core (one behaviour project-wide).
from core.throttling import FailOpenAnonRateThrottle, FailOpenUserRateThrottle  # noqa: E402


class PasskeyConfirmationSerializer(serializers.Serializer):
    """A passkey's confirmation of this payment: the ``challenge_id`` from
    ``POST /api/v1/me/passkeys/payment-options`` (asked for this amount, currency, payee and
    Idempotency-Key) and the authenticator's answer (``navigator.credentials.get``)."""

    challenge_id = StrictUUIDField()
    credential = serializers.DictField(help_text="The PublicKeyCredential as JSON (WebAuthn Level 3 toJSON)")


class ConfirmedMoneyInput(CheapFieldCopiesMixin, serializers.Serializer):
    """The confirmation fields of every money-moving request: ``pin`` (the payment PIN) and/or
    ``passkey``; at least one; and ``step_up_challenge`` when the payment asked for a step-up.
    Subclasses that define ``validate`` call ``super().validate``."""

    pin = StrictCharField(max_length=12, trim_whitespace=False, required=False, help_text="Payment PIN (6 digits)")
    passkey = PasskeyConfirmationSerializer(
        required=False,
        help_text="Instead of the PIN where your account level allows it (else together with it)",
    )
    step_up_challenge = StrictUUIDField(
        required=False,
        help_text=(
            "After 403 `step_up_required`: its `details.challenge_id`, once confirmed with the SMS code "
            "(`POST /api/v1/risk/challenges/{id}/confirm`); send it with the same Idempotency-Key and body. "
            "Used once, for this payment and amount only. Not part of the body's fingerprint. Top-ups never "
            "ask for a step-up."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("pin") and "passkey" not in attrs:
            raise serializers.ValidationError({"pin": [_("This field is required.")]})
        return attrs


class IdempotentMoneyApi(APIView):
    """Base of every money-moving POST: requires ``Idempotency-Key`` and runs ``perform`` through
    ``payments.idempotency.idempotent_execute`` (one durable transaction with the stored response).

    Order: key check (400) -> input validation (400, not stored) -> stored result? replay it (the
    PIN is not asked again: whatever happened to it since, a retry gets the original answer) ->
    ``before_execute`` (outside any transaction: PIN) -> idempotent execution (which re-checks the
    key under its lock) -> stored or replayed response. The fingerprint is
    method + path + canonical JSON body without ``fingerprint_exclude_fields`` (secrets such as the
    PIN are never hashed into a stored fingerprint).
    """

    InputSerializer: type[serializers.Serializer] | None = None
    throttle_classes = [FailOpenAnonRateThrottle, FailOpenUserRateThrottle]
    fingerprint_exclude_fields: tuple[str, ...] = ("pin", "passkey", "step_up_challenge")
    request_key: str = ""  # this request's Idempotency-Key, once ``post`` has read it
    request_fingerprint: str = ""  # its body's fingerprint, once ``fingerprint`` has computed it
    confirmed_factor: Any = None  # the verified passkey factor of this payment (``passkey_factor``)

    def perform(self, request: Request, data: Any) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def before_execute(self, request: Request, data: Any) -> None:
        """Checks that commit on their own, outside the money transaction (``confirm_payment``)."""

    def payee(self, data: Any) -> str:
        """Whom the payment goes to, as the passkey challenge names it; a view that takes no
        passkey (the payee is not known before its service runs) does not override it."""
        raise PasskeyNotAccepted()

    def passkey_amount(self, data: Any) -> Money | None:
        return data.get("money") if isinstance(data, dict) else None

    def passkey_factor(self, request: Request, data: Any, key: str) -> Any:
        """The verified passkey factor of this payment, or None when no passkey was sent. Raises
        the passkey's refusal (its challenge is used up either way) or ``PaymentPinRequired`` when
        the customer's tier needs the PIN too and none was sent. Call after the replay lookup."""
        if "passkey" not in data:
            return None
        payee = self.payee(data)
        money = self.passkey_amount(data)
        if money is None:
            raise AmountRequired(_("Send the amount: a passkey confirms an amount."))
        factor = passkey_payment_verify(
            customer=request.user,  # type: ignore[arg-type]
            token=request.auth,  # type: ignore[arg-type]
            challenge_id=data["passkey"]["challenge_id"],
            credential=data["passkey"]["credential"],
            amount_minor=money.minor,
            currency=money.currency,
            payee=payee,
            idempotency_key=key,
        )
        if not factor.replaces_pin and not data.get("pin"):
            raise PaymentPinRequired()
        logger.info("payment confirmed by passkey %s (customer %s)", factor.passkey_id, factor.customer_id)
        return factor

    def confirm_payment(self, request: Request, data: Any) -> None:
        """For ``before_execute``: the passkey (when sent), then the PIN unless the passkey replaces it."""
        factor = self.confirmed_factor = self.passkey_factor(request, data, self.request_key)
        if data.get("pin") or factor is None or not factor.replaces_pin:
            customer_payment_pin_verify(customer=request.user, pin=data.get("pin", ""))  # type: ignore[arg-type]

    def idempotency_key(self, request: Request) -> str:
        key = request.headers.get("Idempotency-Key")
        if key is None or not key.strip():
            raise IdempotencyKeyMissing()
        if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
            raise IdempotencyKeyInvalid()
        return key

    def fingerprint(self, request: Request) -> str:
        body = request.data
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if k not in self.fingerprint_exclude_fields}
        self.request_fingerprint = request_fingerprint(method=request.method or "POST", path=request.path, body=body)
        return self.request_fingerprint

    def step_up_input(self, data: Any) -> StepUpInput:
        """This request's step-up (``payments.step_up``): the payment fingerprint (Idempotency-Key and
        body), the challenge sent back, and whether a passkey confirmed the payment. Call after
        ``fingerprint`` and the passkey's check."""
        challenge = data.get("step_up_challenge") if isinstance(data, dict) else None
        factor = self.confirmed_factor
        return StepUpInput(
            fingerprint=self.payment_fingerprint(),
            challenge=str(challenge) if challenge else "",
            factor="PASSKEY" if factor is not None and factor.satisfies_step_up else "",
            device_id=_device_id(self.request),
        )

    def payment_fingerprint(self) -> str:
        """What a step-up challenge is bound to: this request's Idempotency-Key and body fingerprint."""
        return payment_fingerprint(idempotency_key=self.request_key, request_fingerprint=self.request_fingerprint)

    def step_up_answer(self, request: Request, refused: StepUpRequired) -> StepUpRequired:
        """The 403 for a step-up: the refusal with the challenge the issuer gives this payment
        (``settings.PAYMENTS_STEP_UP_ISSUE``; outside any transaction, nothing stored under the key)."""
        details = dict(refused.details or {})
        if refused.amount is not None and self.request_fingerprint:
            details.update(
                step_up_issue(
                    customer=request.user,  # type: ignore[arg-type]
                    fingerprint=self.payment_fingerprint(),
                    amount=refused.amount,
                    reason_code=str(details.get("reason_code", "")),
                    ip=client_ip(request),
                )
            )
        answer = StepUpRequired(refused.message, details=details)
        answer.amount = refused.amount
        return answer

    def validate_input(self, request: Request) -> Any:
        if self.InputSerializer is None:
            return request.data
        serializer = self.InputSerializer(data=request.data, context={"request": request, "view": self})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def money_request(
        self, request: Request, *, key: str, fingerprint: str, data: dict[str, Any]
    ) -> MoneyRequest | IdempotentResult:
        """The request part of a one-statement money step (``payments.ledger.money_step``): the
        database compares the PIN under the payer's row lock when the stored PIN allows it; for a
        PIN under an older key, a stored answer is looked up and the PIN verified here first (and
        re-hashed), as ``post`` does. With a passkey, a stored answer is looked up first, then the
        passkey verified here; where it replaces the PIN and none was sent, no PIN is compared.
        Returns a replayed result when there is one."""
        customer = request.user
        self.request_key = key
        pin = data.get("pin")
        if "passkey" in data:
            replay = idempotency_replay_lookup(customer=customer, key=key, fingerprint=fingerprint)  # type: ignore[arg-type]
            if replay is not None:
                return replay
            self.confirmed_factor = self.passkey_factor(request, data, key)
            if not pin:  # the passkey replaces the PIN (passkey_factor refused it otherwise)
                return self._money_request(customer.pk, key, fingerprint, None, self.step_up_input(data))  # type: ignore[union-attr,arg-type]
        assert pin is not None
        candidate = payment_pin_candidate(stored=customer.payment_pin, pin=pin)  # type: ignore[union-attr]
        if candidate is None:
            replay = idempotency_replay_lookup(customer=customer, key=key, fingerprint=fingerprint)  # type: ignore[arg-type]
            if replay is not None:
                return replay
            customer_payment_pin_verify(customer=customer, pin=pin)  # type: ignore[arg-type]
        return self._money_request(customer.pk, key, fingerprint, candidate, self.step_up_input(data))  # type: ignore[union-attr,arg-type]

    @staticmethod
    def _money_request(
        customer_id: int, key: str, fingerprint: str, candidate: str | None, step_up: StepUpInput
    ) -> MoneyRequest:
        return MoneyRequest(
            customer_id=customer_id,
            key=key,
            fingerprint=fingerprint,
            ttl_seconds=int(IDEMPOTENCY_TTL.total_seconds()),
            render=_unset_render,
            pin_candidate=candidate,
            pin_max=PIN_MAX_ATTEMPTS,
            pin_lock=PIN_LOCK_DURATION,
            step_up=step_up,
        )

    def answer(self, result: IdempotentResult) -> Response:
        response = Response(result.body, status=result.status)
        if result.replayed:
            response[REPLAYED_HEADER] = "true"
            if result.original_request_id:
                response[ORIGINAL_REQUEST_ID_HEADER] = result.original_request_id
        return response

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = self.idempotency_key(request)
        self.request_key = key
        fingerprint = self.fingerprint(request)
        data = self.validate_input(request)
        customer = request.user
        result = idempotency_replay_lookup(customer=customer, key=key, fingerprint=fingerprint)  # type: ignore[arg-type]
        if result is None:
            self.before_execute(request, data)
            try:
                result = idempotent_execute(
                    customer=customer,  # type: ignore[arg-type]
                    key=key,
                    fingerprint=fingerprint,
                    operation=lambda: self.perform(request, data),
                )
            except StepUpRequired as refused:  # not stored: answered with this payment's challenge
                raise self.step_up_answer(request, refused) from None
        return self.answer(result)


def _device_id(request: Any) -> str:
    """The app's device id of the request's token (``accounts.authentication`` loads it with the
    token, no query); "" for another kind of caller."""
    device = getattr(getattr(request, "auth", None), "device", None)
    return str(getattr(device, "device_id", "") or "")


def _unset_render(transfer: Any) -> tuple[int, dict[str, Any]]:
    raise RuntimeError("the service sets MoneyRequest.render")
