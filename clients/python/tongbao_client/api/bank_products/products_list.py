from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.bank_product_page import BankProductPage
from ...models.error import Error
from ...models.products_list_category import ProductsListCategory
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    category: ProductsListCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_category: str | Unset = UNSET
    if not isinstance(category, Unset):
        json_category = category

    params["category"] = json_category

    params["cursor"] = cursor

    params["page_size"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/products",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BankProductPage | Error | None:
    if response.status_code == 200:
        response_200 = BankProductPage.from_dict(response.json())

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
) -> Response[BankProductPage | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    category: ProductsListCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[BankProductPage | Error]:
    """Bank products offered to me

     The bank's wealth management, deposit, consumer-loan and small-business-loan products I am eligible
    for (by segment: customer type, age band, home branch, KYC tier...), in the catalogue's order.
    `category` filters. Express interest or apply with `POST /api/v1/leads`.

    Args:
        category (ProductsListCategory | Unset):
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BankProductPage | Error]
    """

    kwargs = _get_kwargs(
        category=category,
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
    category: ProductsListCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> BankProductPage | Error | None:
    """Bank products offered to me

     The bank's wealth management, deposit, consumer-loan and small-business-loan products I am eligible
    for (by segment: customer type, age band, home branch, KYC tier...), in the catalogue's order.
    `category` filters. Express interest or apply with `POST /api/v1/leads`.

    Args:
        category (ProductsListCategory | Unset):
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BankProductPage | Error
    """

    return sync_detailed(
        client=client,
        category=category,
        cursor=cursor,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    category: ProductsListCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[BankProductPage | Error]:
    """Bank products offered to me

     The bank's wealth management, deposit, consumer-loan and small-business-loan products I am eligible
    for (by segment: customer type, age band, home branch, KYC tier...), in the catalogue's order.
    `category` filters. Express interest or apply with `POST /api/v1/leads`.

    Args:
        category (ProductsListCategory | Unset):
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BankProductPage | Error]
    """

    kwargs = _get_kwargs(
        category=category,
        cursor=cursor,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    category: ProductsListCategory | Unset = UNSET,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> BankProductPage | Error | None:
    """Bank products offered to me

     The bank's wealth management, deposit, consumer-loan and small-business-loan products I am eligible
    for (by segment: customer type, age band, home branch, KYC tier...), in the catalogue's order.
    `category` filters. Express interest or apply with `POST /api/v1/leads`.

    Args:
        category (ProductsListCategory | Unset):
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BankProductPage | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            category=category,
            cursor=cursor,
            page_size=page_size,
        )
    ).parsed
