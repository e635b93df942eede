from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.points_redeem_input_request import PointsRedeemInputRequest
from ...models.points_redemption import PointsRedemption
from ...types import Response


def _get_kwargs(
    *,
    body: PointsRedeemInputRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/promotions/points/redeem",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | PointsRedemption | None:
    if response.status_code == 201:
        response_201 = PointsRedemption.from_dict(response.json())

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
) -> Response[Error | PointsRedemption]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PointsRedeemInputRequest,
    idempotency_key: str,
) -> Response[Error | PointsRedemption]:
    """Redeem points for cash

     Spends my points for cash in my CNY wallet at the bank's fixed rate (by default 100 points = 1.00
    CNY; whole multiples only, one step at least). The points leave my points wallet back to points
    issuance and the cash comes from the bank's marketing funds, in one transaction. Points are taken
    from the lots that expire soonest. 400 `points_amount_invalid` for an amount that is not whole
    steps, 422 `points_insufficient` when my unexpired points do not cover it (nothing moves). Coupons
    are bought with points through their offers (`GET /api/v1/promotions/points/offers`).

    **Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first
    result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423
    `payment_pin_locked` for 30 minutes).

    **Limits.** The cash may not lift my CNY wallet above my KYC tier's balance cap (403
    `balance_cap_exceeded`); points only as many as I have unexpired.

    Args:
        idempotency_key (str):
        body (PointsRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PointsRedemption]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: PointsRedeemInputRequest,
    idempotency_key: str,
) -> Error | PointsRedemption | None:
    """Redeem points for cash

     Spends my points for cash in my CNY wallet at the bank's fixed rate (by default 100 points = 1.00
    CNY; whole multiples only, one step at least). The points leave my points wallet back to points
    issuance and the cash comes from the bank's marketing funds, in one transaction. Points are taken
    from the lots that expire soonest. 400 `points_amount_invalid` for an amount that is not whole
    steps, 422 `points_insufficient` when my unexpired points do not cover it (nothing moves). Coupons
    are bought with points through their offers (`GET /api/v1/promotions/points/offers`).

    **Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first
    result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423
    `payment_pin_locked` for 30 minutes).

    **Limits.** The cash may not lift my CNY wallet above my KYC tier's balance cap (403
    `balance_cap_exceeded`); points only as many as I have unexpired.

    Args:
        idempotency_key (str):
        body (PointsRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PointsRedemption
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PointsRedeemInputRequest,
    idempotency_key: str,
) -> Response[Error | PointsRedemption]:
    """Redeem points for cash

     Spends my points for cash in my CNY wallet at the bank's fixed rate (by default 100 points = 1.00
    CNY; whole multiples only, one step at least). The points leave my points wallet back to points
    issuance and the cash comes from the bank's marketing funds, in one transaction. Points are taken
    from the lots that expire soonest. 400 `points_amount_invalid` for an amount that is not whole
    steps, 422 `points_insufficient` when my unexpired points do not cover it (nothing moves). Coupons
    are bought with points through their offers (`GET /api/v1/promotions/points/offers`).

    **Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first
    result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423
    `payment_pin_locked` for 30 minutes).

    **Limits.** The cash may not lift my CNY wallet above my KYC tier's balance cap (403
    `balance_cap_exceeded`); points only as many as I have unexpired.

    Args:
        idempotency_key (str):
        body (PointsRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PointsRedemption]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PointsRedeemInputRequest,
    idempotency_key: str,
) -> Error | PointsRedemption | None:
    """Redeem points for cash

     Spends my points for cash in my CNY wallet at the bank's fixed rate (by default 100 points = 1.00
    CNY; whole multiples only, one step at least). The points leave my points wallet back to points
    issuance and the cash comes from the bank's marketing funds, in one transaction. Points are taken
    from the lots that expire soonest. 400 `points_amount_invalid` for an amount that is not whole
    steps, 422 `points_insufficient` when my unexpired points do not cover it (nothing moves). Coupons
    are bought with points through their offers (`GET /api/v1/promotions/points/offers`).

    **Required:** the `Idempotency-Key` header (a retry with the same key and body answers the first
    result again with `Idempotent-Replayed: true`) and the payment PIN in `pin` (5 wrong: 423
    `payment_pin_locked` for 30 minutes).

    **Limits.** The cash may not lift my CNY wallet above my KYC tier's balance cap (403
    `balance_cap_exceeded`); points only as many as I have unexpired.

    Args:
        idempotency_key (str):
        body (PointsRedeemInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PointsRedemption
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
