from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.spending_output import SpendingOutput
from ...types import UNSET, Response


def _get_kwargs(
    *,
    month: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["month"] = month

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/insights/spending",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | SpendingOutput | None:
    if response.status_code == 200:
        response_200 = SpendingOutput.from_dict(response.json())

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
) -> Response[Error | SpendingOutput]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    month: str,
) -> Response[Error | SpendingOutput]:
    """Spending of a month by category

     A calendar month in the customer's time zone, by category: the merchant's category, the bill type
    (`BILLS_<category>`), transfers to people (`P2P`), net of refunds. `label` is the category's name in
    the request's language (Accept-Language); `category` stays a stable code.

    Args:
        month (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SpendingOutput]
    """

    kwargs = _get_kwargs(
        month=month,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    month: str,
) -> Error | SpendingOutput | None:
    """Spending of a month by category

     A calendar month in the customer's time zone, by category: the merchant's category, the bill type
    (`BILLS_<category>`), transfers to people (`P2P`), net of refunds. `label` is the category's name in
    the request's language (Accept-Language); `category` stays a stable code.

    Args:
        month (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SpendingOutput
    """

    return sync_detailed(
        client=client,
        month=month,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    month: str,
) -> Response[Error | SpendingOutput]:
    """Spending of a month by category

     A calendar month in the customer's time zone, by category: the merchant's category, the bill type
    (`BILLS_<category>`), transfers to people (`P2P`), net of refunds. `label` is the category's name in
    the request's language (Accept-Language); `category` stays a stable code.

    Args:
        month (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SpendingOutput]
    """

    kwargs = _get_kwargs(
        month=month,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    month: str,
) -> Error | SpendingOutput | None:
    """Spending of a month by category

     A calendar month in the customer's time zone, by category: the merchant's category, the bill type
    (`BILLS_<category>`), transfers to people (`P2P`), net of refunds. `label` is the category's name in
    the request's language (Accept-Language); `category` stays a stable code.

    Args:
        month (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SpendingOutput
    """

    return (
        await asyncio_detailed(
            client=client,
            month=month,
        )
    ).parsed
