from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.fx_quote_create_input_request import FxQuoteCreateInputRequest
from ...models.quote import Quote
from ...types import Response


def _get_kwargs(
    *,
    body: FxQuoteCreateInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/fx/quotes",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Quote | None:
    if response.status_code == 201:
        response_201 = Quote.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Quote]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: FxQuoteCreateInputRequest,
) -> Response[Error | Quote]:
    """Price a currency exchange

     Give `sell_amount` or `buy_amount` (exactly one). The quote is honoured for 60 seconds
    (`expires_at`); convert it with `POST /api/v1/fx/conversions`. Moves no money: no PIN, no
    Idempotency-Key. Currencies: `GET /api/v1/currencies` (`exchange`).

    Args:
        body (FxQuoteCreateInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Quote]
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
    body: FxQuoteCreateInputRequest,
) -> Error | Quote | None:
    """Price a currency exchange

     Give `sell_amount` or `buy_amount` (exactly one). The quote is honoured for 60 seconds
    (`expires_at`); convert it with `POST /api/v1/fx/conversions`. Moves no money: no PIN, no
    Idempotency-Key. Currencies: `GET /api/v1/currencies` (`exchange`).

    Args:
        body (FxQuoteCreateInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Quote
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: FxQuoteCreateInputRequest,
) -> Response[Error | Quote]:
    """Price a currency exchange

     Give `sell_amount` or `buy_amount` (exactly one). The quote is honoured for 60 seconds
    (`expires_at`); convert it with `POST /api/v1/fx/conversions`. Moves no money: no PIN, no
    Idempotency-Key. Currencies: `GET /api/v1/currencies` (`exchange`).

    Args:
        body (FxQuoteCreateInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Quote]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: FxQuoteCreateInputRequest,
) -> Error | Quote | None:
    """Price a currency exchange

     Give `sell_amount` or `buy_amount` (exactly one). The quote is honoured for 60 seconds
    (`expires_at`); convert it with `POST /api/v1/fx/conversions`. Moves no money: no PIN, no
    Idempotency-Key. Currencies: `GET /api/v1/currencies` (`exchange`).

    Args:
        body (FxQuoteCreateInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Quote
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
