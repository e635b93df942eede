from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.gateway_callback_request import GatewayCallbackRequest
from ...models.gateway_callback_result import GatewayCallbackResult
from ...types import Response


def _get_kwargs(
    *,
    body: GatewayCallbackRequest,
    x_gateway_signature: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["X-Gateway-Signature"] = x_gateway_signature

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/gateway/callbacks",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | GatewayCallbackResult | None:
    if response.status_code == 200:
        response_200 = GatewayCallbackResult.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

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
) -> Response[Error | GatewayCallbackResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: GatewayCallbackRequest,
    x_gateway_signature: str,
) -> Response[Error | GatewayCallbackResult]:
    """The bank's confirmation of a charge or payout (bank only)

     Called by the bank gateway, not by apps: signed with HMAC-SHA256 over the raw body (docs/payments-
    movements.md). Idempotent: a repeated confirmation answers the same result.

    Args:
        x_gateway_signature (str):
        body (GatewayCallbackRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | GatewayCallbackResult]
    """

    kwargs = _get_kwargs(
        body=body,
        x_gateway_signature=x_gateway_signature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: GatewayCallbackRequest,
    x_gateway_signature: str,
) -> Error | GatewayCallbackResult | None:
    """The bank's confirmation of a charge or payout (bank only)

     Called by the bank gateway, not by apps: signed with HMAC-SHA256 over the raw body (docs/payments-
    movements.md). Idempotent: a repeated confirmation answers the same result.

    Args:
        x_gateway_signature (str):
        body (GatewayCallbackRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | GatewayCallbackResult
    """

    return sync_detailed(
        client=client,
        body=body,
        x_gateway_signature=x_gateway_signature,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: GatewayCallbackRequest,
    x_gateway_signature: str,
) -> Response[Error | GatewayCallbackResult]:
    """The bank's confirmation of a charge or payout (bank only)

     Called by the bank gateway, not by apps: signed with HMAC-SHA256 over the raw body (docs/payments-
    movements.md). Idempotent: a repeated confirmation answers the same result.

    Args:
        x_gateway_signature (str):
        body (GatewayCallbackRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | GatewayCallbackResult]
    """

    kwargs = _get_kwargs(
        body=body,
        x_gateway_signature=x_gateway_signature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: GatewayCallbackRequest,
    x_gateway_signature: str,
) -> Error | GatewayCallbackResult | None:
    """The bank's confirmation of a charge or payout (bank only)

     Called by the bank gateway, not by apps: signed with HMAC-SHA256 over the raw body (docs/payments-
    movements.md). Idempotent: a repeated confirmation answers the same result.

    Args:
        x_gateway_signature (str):
        body (GatewayCallbackRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | GatewayCallbackResult
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_gateway_signature=x_gateway_signature,
        )
    ).parsed
