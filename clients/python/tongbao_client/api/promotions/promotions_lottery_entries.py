from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.lottery_entry_page import LotteryEntryPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["page_size"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/promotions/lottery/entries",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | LotteryEntryPage | None:
    if response.status_code == 200:
        response_200 = LotteryEntryPage.from_dict(response.json())

        return response_200

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | LotteryEntryPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[Error | LotteryEntryPage]:
    """My lottery entries and results

     Each qualifying payment during a lottery earns one entry. Before the draw: PENDING with the draw's
    `seed_commitment`. After: WON (with the prize, paid into my wallet) or NO_PRIZE, and the revealed
    `seed`: sha256(seed) equals the commitment, and HMAC-SHA256(seed, ticket) ranks every entry (docs:
    hmac-sha256-rank-v1), so anyone can check the draw.

    Args:
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | LotteryEntryPage]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        page_size=page_size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Error | LotteryEntryPage | None:
    """My lottery entries and results

     Each qualifying payment during a lottery earns one entry. Before the draw: PENDING with the draw's
    `seed_commitment`. After: WON (with the prize, paid into my wallet) or NO_PRIZE, and the revealed
    `seed`: sha256(seed) equals the commitment, and HMAC-SHA256(seed, ticket) ranks every entry (docs:
    hmac-sha256-rank-v1), so anyone can check the draw.

    Args:
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | LotteryEntryPage
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[Error | LotteryEntryPage]:
    """My lottery entries and results

     Each qualifying payment during a lottery earns one entry. Before the draw: PENDING with the draw's
    `seed_commitment`. After: WON (with the prize, paid into my wallet) or NO_PRIZE, and the revealed
    `seed`: sha256(seed) equals the commitment, and HMAC-SHA256(seed, ticket) ranks every entry (docs:
    hmac-sha256-rank-v1), so anyone can check the draw.

    Args:
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | LotteryEntryPage]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Error | LotteryEntryPage | None:
    """My lottery entries and results

     Each qualifying payment during a lottery earns one entry. Before the draw: PENDING with the draw's
    `seed_commitment`. After: WON (with the prize, paid into my wallet) or NO_PRIZE, and the revealed
    `seed`: sha256(seed) equals the commitment, and HMAC-SHA256(seed, ticket) ranks every entry (docs:
    hmac-sha256-rank-v1), so anyone can check the draw.

    Args:
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | LotteryEntryPage
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            page_size=page_size,
        )
    ).parsed
