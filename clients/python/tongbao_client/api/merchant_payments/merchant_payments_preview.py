from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.merchant_payment_preview import MerchantPaymentPreview
from ...models.merchant_payment_preview_input_request import MerchantPaymentPreviewInputRequest
from ...types import Response


def _get_kwargs(
    *,
    body: MerchantPaymentPreviewInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/payments/preview",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | MerchantPaymentPreview | None:
    if response.status_code == 200:
        response_200 = MerchantPaymentPreview.from_dict(response.json())

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
) -> Response[Error | MerchantPaymentPreview]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: MerchantPaymentPreviewInputRequest,
) -> Response[Error | MerchantPaymentPreview]:
    """What a scanned QR code will pay, before confirming

     Shows the merchant's name and category, the currency and, for a dynamic QR (an order), the fixed
    amount and expiry, so the app can ask for the PIN with everything on screen. Moves and reserves
    nothing (no Idempotency-Key, no PIN); the payment checks everything again.

    Args:
        body (MerchantPaymentPreviewInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MerchantPaymentPreview]
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
    body: MerchantPaymentPreviewInputRequest,
) -> Error | MerchantPaymentPreview | None:
    """What a scanned QR code will pay, before confirming

     Shows the merchant's name and category, the currency and, for a dynamic QR (an order), the fixed
    amount and expiry, so the app can ask for the PIN with everything on screen. Moves and reserves
    nothing (no Idempotency-Key, no PIN); the payment checks everything again.

    Args:
        body (MerchantPaymentPreviewInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MerchantPaymentPreview
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: MerchantPaymentPreviewInputRequest,
) -> Response[Error | MerchantPaymentPreview]:
    """What a scanned QR code will pay, before confirming

     Shows the merchant's name and category, the currency and, for a dynamic QR (an order), the fixed
    amount and expiry, so the app can ask for the PIN with everything on screen. Moves and reserves
    nothing (no Idempotency-Key, no PIN); the payment checks everything again.

    Args:
        body (MerchantPaymentPreviewInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MerchantPaymentPreview]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: MerchantPaymentPreviewInputRequest,
) -> Error | MerchantPaymentPreview | None:
    """What a scanned QR code will pay, before confirming

     Shows the merchant's name and category, the currency and, for a dynamic QR (an order), the fixed
    amount and expiry, so the app can ask for the PIN with everything on screen. Moves and reserves
    nothing (no Idempotency-Key, no PIN); the payment checks everything again.

    Args:
        body (MerchantPaymentPreviewInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MerchantPaymentPreview
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
