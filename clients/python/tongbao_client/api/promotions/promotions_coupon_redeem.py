from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.coupon_claim import CouponClaim
from ...models.coupon_redeem_input_request import CouponRedeemInputRequest
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    *,
    body: CouponRedeemInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/promotions/coupons/redeem",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CouponClaim | Error | None:
    if response.status_code == 201:
        response_201 = CouponClaim.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CouponClaim | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CouponRedeemInputRequest,
) -> Response[CouponClaim | Error]:
    """Redeem a coupon code

     Puts the coupon of a printed or sent code into my coupons (`GET /api/v1/promotions/coupons`); a
    payment that meets its minimum then gets the discount. Case, spaces and hyphens are ignored, and
    O/I/L are read as 0/1/1. Any failure (unknown code, used up, expired, campaign not running, someone
    else's, already mine, not in the campaign's segment, over my limit, or more than 10 failed codes in
    the last hour) answers the same 400 `coupon_unavailable`, so a guess learns nothing. Redeeming is
    also limited to 10 requests a minute (429 `throttled`); when the attempts cannot be counted, 503
    `rate_limit_unavailable` (try again later).

    Args:
        body (CouponRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CouponClaim | Error]
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
    body: CouponRedeemInputRequest,
) -> CouponClaim | Error | None:
    """Redeem a coupon code

     Puts the coupon of a printed or sent code into my coupons (`GET /api/v1/promotions/coupons`); a
    payment that meets its minimum then gets the discount. Case, spaces and hyphens are ignored, and
    O/I/L are read as 0/1/1. Any failure (unknown code, used up, expired, campaign not running, someone
    else's, already mine, not in the campaign's segment, over my limit, or more than 10 failed codes in
    the last hour) answers the same 400 `coupon_unavailable`, so a guess learns nothing. Redeeming is
    also limited to 10 requests a minute (429 `throttled`); when the attempts cannot be counted, 503
    `rate_limit_unavailable` (try again later).

    Args:
        body (CouponRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CouponClaim | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CouponRedeemInputRequest,
) -> Response[CouponClaim | Error]:
    """Redeem a coupon code

     Puts the coupon of a printed or sent code into my coupons (`GET /api/v1/promotions/coupons`); a
    payment that meets its minimum then gets the discount. Case, spaces and hyphens are ignored, and
    O/I/L are read as 0/1/1. Any failure (unknown code, used up, expired, campaign not running, someone
    else's, already mine, not in the campaign's segment, over my limit, or more than 10 failed codes in
    the last hour) answers the same 400 `coupon_unavailable`, so a guess learns nothing. Redeeming is
    also limited to 10 requests a minute (429 `throttled`); when the attempts cannot be counted, 503
    `rate_limit_unavailable` (try again later).

    Args:
        body (CouponRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CouponClaim | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CouponRedeemInputRequest,
) -> CouponClaim | Error | None:
    """Redeem a coupon code

     Puts the coupon of a printed or sent code into my coupons (`GET /api/v1/promotions/coupons`); a
    payment that meets its minimum then gets the discount. Case, spaces and hyphens are ignored, and
    O/I/L are read as 0/1/1. Any failure (unknown code, used up, expired, campaign not running, someone
    else's, already mine, not in the campaign's segment, over my limit, or more than 10 failed codes in
    the last hour) answers the same 400 `coupon_unavailable`, so a guess learns nothing. Redeeming is
    also limited to 10 requests a minute (429 `throttled`); when the attempts cannot be counted, 503
    `rate_limit_unavailable` (try again later).

    Args:
        body (CouponRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CouponClaim | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
