from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.me_passkey_payment_options_input_request import MePasskeyPaymentOptionsInputRequest
from ...models.passkey_options import PasskeyOptions
from ...types import Response


def _get_kwargs(
    *,
    body: MePasskeyPaymentOptionsInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/me/passkeys/payment-options",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PasskeyOptions | None:
    if response.status_code == 200:
        response_200 = PasskeyOptions.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | PasskeyOptions]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: MePasskeyPaymentOptionsInputRequest,
) -> Response[Error | PasskeyOptions]:
    """Start confirming a payment with a passkey

     Before sending a payment, with exactly what the payment will carry: `amount` and `currency`, the
    `payee` spelled as docs/accounts.md 'Passkeys' says (`phone:<to_phone>`, `wallet:<to_wallet_id>`,
    `qr:<qr text>`, `bill:<biller>:<account_number>`, `topup:<card>`, `withdrawal:<card>`; the value is
    trimmed and ids compare in lower case), and the payment's `Idempotency-Key` as `idempotency_key`.
    The challenge ends with the payment's fingerprint, so the signed answer names this payment and no
    other; `allowCredentials` lists this device's passkeys. Hand `public_key` to
    `navigator.credentials.get()`; the answer goes with the payment as `passkey: {challenge_id,
    credential}` within `expires_at` (3 minutes), on the payment operations that take it (the payments
    wiring of docs/accounts.md 'Passkeys'; until then the payment PIN confirms). No passkey on this
    device: 409 `passkey_not_registered`.

    Args:
        body (MePasskeyPaymentOptionsInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PasskeyOptions]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: MePasskeyPaymentOptionsInputRequest,
) -> Error | PasskeyOptions | None:
    """Start confirming a payment with a passkey

     Before sending a payment, with exactly what the payment will carry: `amount` and `currency`, the
    `payee` spelled as docs/accounts.md 'Passkeys' says (`phone:<to_phone>`, `wallet:<to_wallet_id>`,
    `qr:<qr text>`, `bill:<biller>:<account_number>`, `topup:<card>`, `withdrawal:<card>`; the value is
    trimmed and ids compare in lower case), and the payment's `Idempotency-Key` as `idempotency_key`.
    The challenge ends with the payment's fingerprint, so the signed answer names this payment and no
    other; `allowCredentials` lists this device's passkeys. Hand `public_key` to
    `navigator.credentials.get()`; the answer goes with the payment as `passkey: {challenge_id,
    credential}` within `expires_at` (3 minutes), on the payment operations that take it (the payments
    wiring of docs/accounts.md 'Passkeys'; until then the payment PIN confirms). No passkey on this
    device: 409 `passkey_not_registered`.

    Args:
        body (MePasskeyPaymentOptionsInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PasskeyOptions
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: MePasskeyPaymentOptionsInputRequest,
) -> Response[Error | PasskeyOptions]:
    """Start confirming a payment with a passkey

     Before sending a payment, with exactly what the payment will carry: `amount` and `currency`, the
    `payee` spelled as docs/accounts.md 'Passkeys' says (`phone:<to_phone>`, `wallet:<to_wallet_id>`,
    `qr:<qr text>`, `bill:<biller>:<account_number>`, `topup:<card>`, `withdrawal:<card>`; the value is
    trimmed and ids compare in lower case), and the payment's `Idempotency-Key` as `idempotency_key`.
    The challenge ends with the payment's fingerprint, so the signed answer names this payment and no
    other; `allowCredentials` lists this device's passkeys. Hand `public_key` to
    `navigator.credentials.get()`; the answer goes with the payment as `passkey: {challenge_id,
    credential}` within `expires_at` (3 minutes), on the payment operations that take it (the payments
    wiring of docs/accounts.md 'Passkeys'; until then the payment PIN confirms). No passkey on this
    device: 409 `passkey_not_registered`.

    Args:
        body (MePasskeyPaymentOptionsInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PasskeyOptions]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: MePasskeyPaymentOptionsInputRequest,
) -> Error | PasskeyOptions | None:
    """Start confirming a payment with a passkey

     Before sending a payment, with exactly what the payment will carry: `amount` and `currency`, the
    `payee` spelled as docs/accounts.md 'Passkeys' says (`phone:<to_phone>`, `wallet:<to_wallet_id>`,
    `qr:<qr text>`, `bill:<biller>:<account_number>`, `topup:<card>`, `withdrawal:<card>`; the value is
    trimmed and ids compare in lower case), and the payment's `Idempotency-Key` as `idempotency_key`.
    The challenge ends with the payment's fingerprint, so the signed answer names this payment and no
    other; `allowCredentials` lists this device's passkeys. Hand `public_key` to
    `navigator.credentials.get()`; the answer goes with the payment as `passkey: {challenge_id,
    credential}` within `expires_at` (3 minutes), on the payment operations that take it (the payments
    wiring of docs/accounts.md 'Passkeys'; until then the payment PIN confirms). No passkey on this
    device: 409 `passkey_not_registered`.

    Args:
        body (MePasskeyPaymentOptionsInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PasskeyOptions
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
