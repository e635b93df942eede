from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.points import Points
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/promotions/points",
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Points | None:
    if response.status_code == 200:
        response_200 = Points.from_dict(response.json())

        return response_200

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Points]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Error | Points]:
    """My points

     My points balance (points are an asset of the ledger, currency PTS, scale 0), what expires when
    (soonest first), and the latest 50 movements: EARNED from a campaign, CLAWED_BACK after a refund of
    the payment that earned them, EXPIRED, REDEEMED (`POST /api/v1/promotions/points/redeem`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Points]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Error | Points | None:
    """My points

     My points balance (points are an asset of the ledger, currency PTS, scale 0), what expires when
    (soonest first), and the latest 50 movements: EARNED from a campaign, CLAWED_BACK after a refund of
    the payment that earned them, EXPIRED, REDEEMED (`POST /api/v1/promotions/points/redeem`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Points
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Error | Points]:
    """My points

     My points balance (points are an asset of the ledger, currency PTS, scale 0), what expires when
    (soonest first), and the latest 50 movements: EARNED from a campaign, CLAWED_BACK after a refund of
    the payment that earned them, EXPIRED, REDEEMED (`POST /api/v1/promotions/points/redeem`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Points]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Error | Points | None:
    """My points

     My points balance (points are an asset of the ledger, currency PTS, scale 0), what expires when
    (soonest first), and the latest 50 movements: EARNED from a campaign, CLAWED_BACK after a refund of
    the payment that earned them, EXPIRED, REDEEMED (`POST /api/v1/promotions/points/redeem`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Points
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
