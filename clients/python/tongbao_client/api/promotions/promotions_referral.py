from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.referral import Referral
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/promotions/referral",
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Referral | None:
    if response.status_code == 200:
        response_200 = Referral.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Referral]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Error | Referral]:
    """My referral code, link and progress

     My code and link to invite friends, and how it is going. A friend who signs up with my code
    (`referral_code` of `POST /api/v1/auth/register`) qualifies once they have passed identity
    verification (KYC) and paid a merchant with money they topped up from their own bank card; both of
    us are then rewarded after the campaign's cooling-off period. A friend sharing my phone, bank card
    or identity is refused.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Referral]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Error | Referral | None:
    """My referral code, link and progress

     My code and link to invite friends, and how it is going. A friend who signs up with my code
    (`referral_code` of `POST /api/v1/auth/register`) qualifies once they have passed identity
    verification (KYC) and paid a merchant with money they topped up from their own bank card; both of
    us are then rewarded after the campaign's cooling-off period. A friend sharing my phone, bank card
    or identity is refused.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Referral
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Error | Referral]:
    """My referral code, link and progress

     My code and link to invite friends, and how it is going. A friend who signs up with my code
    (`referral_code` of `POST /api/v1/auth/register`) qualifies once they have passed identity
    verification (KYC) and paid a merchant with money they topped up from their own bank card; both of
    us are then rewarded after the campaign's cooling-off period. A friend sharing my phone, bank card
    or identity is refused.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Referral]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Error | Referral | None:
    """My referral code, link and progress

     My code and link to invite friends, and how it is going. A friend who signs up with my code
    (`referral_code` of `POST /api/v1/auth/register`) qualifies once they have passed identity
    verification (KYC) and paid a merchant with money they topped up from their own bank card; both of
    us are then rewarded after the campaign's cooling-off period. A friend sharing my phone, bank card
    or identity is refused.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Referral
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
