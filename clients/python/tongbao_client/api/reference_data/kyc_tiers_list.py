from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.kyc_tier_page import KycTierPage
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
        "url": "/api/v1/kyc/tiers",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | KycTierPage | None:
    if response.status_code == 200:
        response_200 = KycTierPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | KycTierPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[Error | KycTierPage]:
    """KYC tiers: limits and how to reach each

     Every money movement out of a wallet counts against the customer's tier: per transaction, per
    calendar day and per calendar month (Asia/Shanghai), in CNY (other currencies at their CNY
    equivalent); each wallet's balance is capped. Over a limit: 403 `limit_exceeded` (the limit in
    `details`); tier 0: 403 `kyc_required`. `GET /api/v1/me` shows the customer's own tier.

    Args:
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | KycTierPage]
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
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Error | KycTierPage | None:
    """KYC tiers: limits and how to reach each

     Every money movement out of a wallet counts against the customer's tier: per transaction, per
    calendar day and per calendar month (Asia/Shanghai), in CNY (other currencies at their CNY
    equivalent); each wallet's balance is capped. Over a limit: 403 `limit_exceeded` (the limit in
    `details`); tier 0: 403 `kyc_required`. `GET /api/v1/me` shows the customer's own tier.

    Args:
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | KycTierPage
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[Error | KycTierPage]:
    """KYC tiers: limits and how to reach each

     Every money movement out of a wallet counts against the customer's tier: per transaction, per
    calendar day and per calendar month (Asia/Shanghai), in CNY (other currencies at their CNY
    equivalent); each wallet's balance is capped. Over a limit: 403 `limit_exceeded` (the limit in
    `details`); tier 0: 403 `kyc_required`. `GET /api/v1/me` shows the customer's own tier.

    Args:
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | KycTierPage]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    cursor: str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Error | KycTierPage | None:
    """KYC tiers: limits and how to reach each

     Every money movement out of a wallet counts against the customer's tier: per transaction, per
    calendar day and per calendar month (Asia/Shanghai), in CNY (other currencies at their CNY
    equivalent); each wallet's balance is capped. Over a limit: 403 `limit_exceeded` (the limit in
    `details`); tier 0: 403 `kyc_required`. `GET /api/v1/me` shows the customer's own tier.

    Args:
        cursor (str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | KycTierPage
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            page_size=page_size,
        )
    ).parsed
