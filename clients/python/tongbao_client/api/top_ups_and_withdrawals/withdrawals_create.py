from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.funding_create_input_request import FundingCreateInputRequest
from ...models.funding_output import FundingOutput
from ...types import Response


def _get_kwargs(
    *,
    body: FundingCreateInputRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/withdrawals",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | FundingOutput | None:
    if response.status_code == 202:
        response_202 = FundingOutput.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if response.status_code == 423:
        response_423 = Error.from_dict(response.json())

        return response_423

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | FundingOutput]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: FundingCreateInputRequest,
    idempotency_key: str,
) -> Response[Error | FundingOutput]:
    """Withdraw to a linked card

     The amount is held at once (202, PENDING: `pending` in the wallet's balance); the bank's answer
    captures it (COMPLETED) or releases it (FAILED). Poll `GET /api/v1/withdrawals/{id}`. CNY only.

    **Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first
    result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423
    `payment_pin_locked` for 30 minutes), or a passkey in `passkey` (`challenge_id` from `POST
    /api/v1/me/passkeys/payment-options`, asked for this amount, currency, payee and Idempotency-Key,
    and the authenticator's `credential`): it replaces the PIN where the account's KYC tier allows it
    (`GET /api/v1/kyc/tiers`), else it is sent with the PIN (400 `pin_required`).

    **Limits.** Counts against the customer's KYC tier (`GET /api/v1/kyc/tiers`): per transaction, per
    calendar day and per calendar month (Asia/Shanghai), in CNY; another currency counts at its CNY
    equivalent (mid rate). Over a limit: 403 `limit_exceeded` (`details` names the limit); tier 0: 403
    `kyc_required`. The available balance must cover it (422 `insufficient_funds`). Amounts: decimal
    strings, at most the currency's decimals, at most 10^13 units.

    **Step-up.** When the fraud checks want a second factor (a large amount, a new payee, a phone signed
    in for the first time recently, a risk flag on the account), the answer is 403 `step_up_required`;
    nothing moves and nothing is stored under the key. `details`: `reason_code`, `challenge_id`,
    `expires_at`, `sms_sent`, `resend_after_seconds`; an SMS code naming the amount goes to the
    customer's phone (it confirms this payment only). Confirm it with `POST
    /api/v1/risk/challenges/{challenge_id}/confirm`, then send the same request again (same Idempotency-
    Key, same body) with `step_up_challenge`: used once, by this customer, for this payment and amount,
    before `expires_at`. Sent again before it is confirmed, the request gets the same challenge (its
    code is sent again once a minute has passed: `sms_sent`). A challenge for another payment or amount,
    expired or used: 403 `step_up_required` with `reason_code` `STEP_UP_CHALLENGE_INVALID` and a new
    challenge. A passkey that confirms the payment satisfies the step-up.

    Args:
        idempotency_key (str):
        body (FundingCreateInputRequest): The confirmation fields of every money-moving request:
            ``pin`` (the payment PIN) and/or
            ``passkey``; at least one; and ``step_up_challenge`` when the payment asked for a step-up.
            Subclasses that define ``validate`` call ``super().validate``.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | FundingOutput]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: FundingCreateInputRequest,
    idempotency_key: str,
) -> Error | FundingOutput | None:
    """Withdraw to a linked card

     The amount is held at once (202, PENDING: `pending` in the wallet's balance); the bank's answer
    captures it (COMPLETED) or releases it (FAILED). Poll `GET /api/v1/withdrawals/{id}`. CNY only.

    **Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first
    result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423
    `payment_pin_locked` for 30 minutes), or a passkey in `passkey` (`challenge_id` from `POST
    /api/v1/me/passkeys/payment-options`, asked for this amount, currency, payee and Idempotency-Key,
    and the authenticator's `credential`): it replaces the PIN where the account's KYC tier allows it
    (`GET /api/v1/kyc/tiers`), else it is sent with the PIN (400 `pin_required`).

    **Limits.** Counts against the customer's KYC tier (`GET /api/v1/kyc/tiers`): per transaction, per
    calendar day and per calendar month (Asia/Shanghai), in CNY; another currency counts at its CNY
    equivalent (mid rate). Over a limit: 403 `limit_exceeded` (`details` names the limit); tier 0: 403
    `kyc_required`. The available balance must cover it (422 `insufficient_funds`). Amounts: decimal
    strings, at most the currency's decimals, at most 10^13 units.

    **Step-up.** When the fraud checks want a second factor (a large amount, a new payee, a phone signed
    in for the first time recently, a risk flag on the account), the answer is 403 `step_up_required`;
    nothing moves and nothing is stored under the key. `details`: `reason_code`, `challenge_id`,
    `expires_at`, `sms_sent`, `resend_after_seconds`; an SMS code naming the amount goes to the
    customer's phone (it confirms this payment only). Confirm it with `POST
    /api/v1/risk/challenges/{challenge_id}/confirm`, then send the same request again (same Idempotency-
    Key, same body) with `step_up_challenge`: used once, by this customer, for this payment and amount,
    before `expires_at`. Sent again before it is confirmed, the request gets the same challenge (its
    code is sent again once a minute has passed: `sms_sent`). A challenge for another payment or amount,
    expired or used: 403 `step_up_required` with `reason_code` `STEP_UP_CHALLENGE_INVALID` and a new
    challenge. A passkey that confirms the payment satisfies the step-up.

    Args:
        idempotency_key (str):
        body (FundingCreateInputRequest): The confirmation fields of every money-moving request:
            ``pin`` (the payment PIN) and/or
            ``passkey``; at least one; and ``step_up_challenge`` when the payment asked for a step-up.
            Subclasses that define ``validate`` call ``super().validate``.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | FundingOutput
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: FundingCreateInputRequest,
    idempotency_key: str,
) -> Response[Error | FundingOutput]:
    """Withdraw to a linked card

     The amount is held at once (202, PENDING: `pending` in the wallet's balance); the bank's answer
    captures it (COMPLETED) or releases it (FAILED). Poll `GET /api/v1/withdrawals/{id}`. CNY only.

    **Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first
    result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423
    `payment_pin_locked` for 30 minutes), or a passkey in `passkey` (`challenge_id` from `POST
    /api/v1/me/passkeys/payment-options`, asked for this amount, currency, payee and Idempotency-Key,
    and the authenticator's `credential`): it replaces the PIN where the account's KYC tier allows it
    (`GET /api/v1/kyc/tiers`), else it is sent with the PIN (400 `pin_required`).

    **Limits.** Counts against the customer's KYC tier (`GET /api/v1/kyc/tiers`): per transaction, per
    calendar day and per calendar month (Asia/Shanghai), in CNY; another currency counts at its CNY
    equivalent (mid rate). Over a limit: 403 `limit_exceeded` (`details` names the limit); tier 0: 403
    `kyc_required`. The available balance must cover it (422 `insufficient_funds`). Amounts: decimal
    strings, at most the currency's decimals, at most 10^13 units.

    **Step-up.** When the fraud checks want a second factor (a large amount, a new payee, a phone signed
    in for the first time recently, a risk flag on the account), the answer is 403 `step_up_required`;
    nothing moves and nothing is stored under the key. `details`: `reason_code`, `challenge_id`,
    `expires_at`, `sms_sent`, `resend_after_seconds`; an SMS code naming the amount goes to the
    customer's phone (it confirms this payment only). Confirm it with `POST
    /api/v1/risk/challenges/{challenge_id}/confirm`, then send the same request again (same Idempotency-
    Key, same body) with `step_up_challenge`: used once, by this customer, for this payment and amount,
    before `expires_at`. Sent again before it is confirmed, the request gets the same challenge (its
    code is sent again once a minute has passed: `sms_sent`). A challenge for another payment or amount,
    expired or used: 403 `step_up_required` with `reason_code` `STEP_UP_CHALLENGE_INVALID` and a new
    challenge. A passkey that confirms the payment satisfies the step-up.

    Args:
        idempotency_key (str):
        body (FundingCreateInputRequest): The confirmation fields of every money-moving request:
            ``pin`` (the payment PIN) and/or
            ``passkey``; at least one; and ``step_up_challenge`` when the payment asked for a step-up.
            Subclasses that define ``validate`` call ``super().validate``.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | FundingOutput]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: FundingCreateInputRequest,
    idempotency_key: str,
) -> Error | FundingOutput | None:
    """Withdraw to a linked card

     The amount is held at once (202, PENDING: `pending` in the wallet's balance); the bank's answer
    captures it (COMPLETED) or releases it (FAILED). Poll `GET /api/v1/withdrawals/{id}`. CNY only.

    **Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first
    result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423
    `payment_pin_locked` for 30 minutes), or a passkey in `passkey` (`challenge_id` from `POST
    /api/v1/me/passkeys/payment-options`, asked for this amount, currency, payee and Idempotency-Key,
    and the authenticator's `credential`): it replaces the PIN where the account's KYC tier allows it
    (`GET /api/v1/kyc/tiers`), else it is sent with the PIN (400 `pin_required`).

    **Limits.** Counts against the customer's KYC tier (`GET /api/v1/kyc/tiers`): per transaction, per
    calendar day and per calendar month (Asia/Shanghai), in CNY; another currency counts at its CNY
    equivalent (mid rate). Over a limit: 403 `limit_exceeded` (`details` names the limit); tier 0: 403
    `kyc_required`. The available balance must cover it (422 `insufficient_funds`). Amounts: decimal
    strings, at most the currency's decimals, at most 10^13 units.

    **Step-up.** When the fraud checks want a second factor (a large amount, a new payee, a phone signed
    in for the first time recently, a risk flag on the account), the answer is 403 `step_up_required`;
    nothing moves and nothing is stored under the key. `details`: `reason_code`, `challenge_id`,
    `expires_at`, `sms_sent`, `resend_after_seconds`; an SMS code naming the amount goes to the
    customer's phone (it confirms this payment only). Confirm it with `POST
    /api/v1/risk/challenges/{challenge_id}/confirm`, then send the same request again (same Idempotency-
    Key, same body) with `step_up_challenge`: used once, by this customer, for this payment and amount,
    before `expires_at`. Sent again before it is confirmed, the request gets the same challenge (its
    code is sent again once a minute has passed: `sms_sent`). A challenge for another payment or amount,
    expired or used: 403 `step_up_required` with `reason_code` `STEP_UP_CHALLENGE_INVALID` and a new
    challenge. A passkey that confirms the payment satisfies the step-up.

    Args:
        idempotency_key (str):
        body (FundingCreateInputRequest): The confirmation fields of every money-moving request:
            ``pin`` (the payment PIN) and/or
            ``passkey``; at least one; and ``step_up_challenge`` when the payment asked for a step-up.
            Subclasses that define ``validate`` call ``super().validate``.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | FundingOutput
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
