from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.points_offer_page import PointsOfferPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    affordable: bool | Unset = UNSET,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["affordable"] = affordable

    params["cursor"] = cursor

    params["page_size"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/promotions/points/offers",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | PointsOfferPage | None:
    if response.status_code == 200:
        response_200 = PointsOfferPage.from_dict(response.json())

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
) -> Response[Error | PointsOfferPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    affordable: bool | Unset = UNSET,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[Error | PointsOfferPage]:
    """Coupons I can buy with points

     The coupons offered for points that are open now and offered to me (in the campaign's segment; a
    customer who withdrew the MARKETING consent sees none), cheapest first, then the soonest close. Each
    says its price, what is left of the stock and of my own limit, and whether my unexpired points cover
    it (`affordable`); `?affordable=true` lists only those. Names in the request's language. Redeem with
    `POST /api/v1/promotions/points/offers/{id}/redeem`.

    Args:
        affordable (bool | Unset):
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PointsOfferPage]
    """

    kwargs = _get_kwargs(
        affordable=affordable,
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
    affordable: bool | Unset = UNSET,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Error | PointsOfferPage | None:
    """Coupons I can buy with points

     The coupons offered for points that are open now and offered to me (in the campaign's segment; a
    customer who withdrew the MARKETING consent sees none), cheapest first, then the soonest close. Each
    says its price, what is left of the stock and of my own limit, and whether my unexpired points cover
    it (`affordable`); `?affordable=true` lists only those. Names in the request's language. Redeem with
    `POST /api/v1/promotions/points/offers/{id}/redeem`.

    Args:
        affordable (bool | Unset):
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PointsOfferPage
    """

    return sync_detailed(
        client=client,
        affordable=affordable,
        cursor=cursor,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    affordable: bool | Unset = UNSET,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[Error | PointsOfferPage]:
    """Coupons I can buy with points

     The coupons offered for points that are open now and offered to me (in the campaign's segment; a
    customer who withdrew the MARKETING consent sees none), cheapest first, then the soonest close. Each
    says its price, what is left of the stock and of my own limit, and whether my unexpired points cover
    it (`affordable`); `?affordable=true` lists only those. Names in the request's language. Redeem with
    `POST /api/v1/promotions/points/offers/{id}/redeem`.

    Args:
        affordable (bool | Unset):
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PointsOfferPage]
    """

    kwargs = _get_kwargs(
        affordable=affordable,
        cursor=cursor,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    affordable: bool | Unset = UNSET,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Error | PointsOfferPage | None:
    """Coupons I can buy with points

     The coupons offered for points that are open now and offered to me (in the campaign's segment; a
    customer who withdrew the MARKETING consent sees none), cheapest first, then the soonest close. Each
    says its price, what is left of the stock and of my own limit, and whether my unexpired points cover
    it (`affordable`); `?affordable=true` lists only those. Names in the request's language. Redeem with
    `POST /api/v1/promotions/points/offers/{id}/redeem`.

    Args:
        affordable (bool | Unset):
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PointsOfferPage
    """

    return (
        await asyncio_detailed(
            client=client,
            affordable=affordable,
            cursor=cursor,
            page_size=page_size,
        )
    ).parsed
