from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.points_offer_redeem_input_request import PointsOfferRedeemInputRequest
from ...models.points_offer_redemption import PointsOfferRedemption
from ...types import Response


def _get_kwargs(
    public_id: UUID,
    *,
    body: PointsOfferRedeemInputRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/promotions/points/offers/{public_id}/redeem".format(
            public_id=quote(str(public_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | PointsOfferRedemption | None:
    if response.status_code == 201:
        response_201 = PointsOfferRedemption.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if response.status_code == 423:
        response_423 = Error.from_dict(response.json())

        return response_423

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | PointsOfferRedemption]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    public_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PointsOfferRedeemInputRequest,
    idempotency_key: str,
) -> Response[Error | PointsOfferRedemption]:
    """Buy a coupon with points

     Spends the offer's price in points (taken from my lots that expire soonest, out of my points wallet
    in the ledger) for one coupon, which is then in my coupons (`GET /api/v1/promotions/coupons`) and is
    used at payment like any coupon. 404 `points_offer_not_found` for an offer that does not exist or is
    not offered to me; 409 `points_offer_closed` when it is paused, not open yet or over; 409
    `points_offer_sold_out`; 409 `points_offer_limit_reached` when I have redeemed it as often as it
    allows; 422 `points_insufficient` when my unexpired points do not cover the price. Nothing moves on
    any refusal.

    **Points are not given back** when the coupon expires unused, or when the campaign is paused or
    ended early: the coupon is usable until its `expires_at`, as the offer said (`coupon_expires_at`).

    **Required:** the `Idempotency-Key` header (a retry with the same key answers the first result again
    with `Idempotent-Replayed: true`, and never spends points twice) and the payment PIN in `pin` (5
    wrong: 423 `payment_pin_locked` for 30 minutes).

    **Limits.** The offer's stock and my per-person limit (each held under any concurrency); points only
    as many as I have unexpired.

    Args:
        public_id (UUID):
        idempotency_key (str):
        body (PointsOfferRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PointsOfferRedemption]
    """

    kwargs = _get_kwargs(
        public_id=public_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    public_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PointsOfferRedeemInputRequest,
    idempotency_key: str,
) -> Error | PointsOfferRedemption | None:
    """Buy a coupon with points

     Spends the offer's price in points (taken from my lots that expire soonest, out of my points wallet
    in the ledger) for one coupon, which is then in my coupons (`GET /api/v1/promotions/coupons`) and is
    used at payment like any coupon. 404 `points_offer_not_found` for an offer that does not exist or is
    not offered to me; 409 `points_offer_closed` when it is paused, not open yet or over; 409
    `points_offer_sold_out`; 409 `points_offer_limit_reached` when I have redeemed it as often as it
    allows; 422 `points_insufficient` when my unexpired points do not cover the price. Nothing moves on
    any refusal.

    **Points are not given back** when the coupon expires unused, or when the campaign is paused or
    ended early: the coupon is usable until its `expires_at`, as the offer said (`coupon_expires_at`).

    **Required:** the `Idempotency-Key` header (a retry with the same key answers the first result again
    with `Idempotent-Replayed: true`, and never spends points twice) and the payment PIN in `pin` (5
    wrong: 423 `payment_pin_locked` for 30 minutes).

    **Limits.** The offer's stock and my per-person limit (each held under any concurrency); points only
    as many as I have unexpired.

    Args:
        public_id (UUID):
        idempotency_key (str):
        body (PointsOfferRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PointsOfferRedemption
    """

    return sync_detailed(
        public_id=public_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    public_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PointsOfferRedeemInputRequest,
    idempotency_key: str,
) -> Response[Error | PointsOfferRedemption]:
    """Buy a coupon with points

     Spends the offer's price in points (taken from my lots that expire soonest, out of my points wallet
    in the ledger) for one coupon, which is then in my coupons (`GET /api/v1/promotions/coupons`) and is
    used at payment like any coupon. 404 `points_offer_not_found` for an offer that does not exist or is
    not offered to me; 409 `points_offer_closed` when it is paused, not open yet or over; 409
    `points_offer_sold_out`; 409 `points_offer_limit_reached` when I have redeemed it as often as it
    allows; 422 `points_insufficient` when my unexpired points do not cover the price. Nothing moves on
    any refusal.

    **Points are not given back** when the coupon expires unused, or when the campaign is paused or
    ended early: the coupon is usable until its `expires_at`, as the offer said (`coupon_expires_at`).

    **Required:** the `Idempotency-Key` header (a retry with the same key answers the first result again
    with `Idempotent-Replayed: true`, and never spends points twice) and the payment PIN in `pin` (5
    wrong: 423 `payment_pin_locked` for 30 minutes).

    **Limits.** The offer's stock and my per-person limit (each held under any concurrency); points only
    as many as I have unexpired.

    Args:
        public_id (UUID):
        idempotency_key (str):
        body (PointsOfferRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PointsOfferRedemption]
    """

    kwargs = _get_kwargs(
        public_id=public_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    public_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PointsOfferRedeemInputRequest,
    idempotency_key: str,
) -> Error | PointsOfferRedemption | None:
    """Buy a coupon with points

     Spends the offer's price in points (taken from my lots that expire soonest, out of my points wallet
    in the ledger) for one coupon, which is then in my coupons (`GET /api/v1/promotions/coupons`) and is
    used at payment like any coupon. 404 `points_offer_not_found` for an offer that does not exist or is
    not offered to me; 409 `points_offer_closed` when it is paused, not open yet or over; 409
    `points_offer_sold_out`; 409 `points_offer_limit_reached` when I have redeemed it as often as it
    allows; 422 `points_insufficient` when my unexpired points do not cover the price. Nothing moves on
    any refusal.

    **Points are not given back** when the coupon expires unused, or when the campaign is paused or
    ended early: the coupon is usable until its `expires_at`, as the offer said (`coupon_expires_at`).

    **Required:** the `Idempotency-Key` header (a retry with the same key answers the first result again
    with `Idempotent-Replayed: true`, and never spends points twice) and the payment PIN in `pin` (5
    wrong: 423 `payment_pin_locked` for 30 minutes).

    **Limits.** The offer's stock and my per-person limit (each held under any concurrency); points only
    as many as I have unexpired.

    Args:
        public_id (UUID):
        idempotency_key (str):
        body (PointsOfferRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PointsOfferRedemption
    """

    return (
        await asyncio_detailed(
            public_id=public_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
