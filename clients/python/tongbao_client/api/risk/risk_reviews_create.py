from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.risk_review import RiskReview
from ...models.risk_review_input_request import RiskReviewInputRequest
from ...types import Response


def _get_kwargs(
    *,
    body: RiskReviewInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/risk/reviews",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | RiskReview | None:
    if response.status_code == 201:
        response_201 = RiskReview.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | RiskReview]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: RiskReviewInputRequest,
) -> Response[Error | RiskReview]:
    """Ask for a human review

     Ask a person to review an automated decision about me (PIPL art. 24): a freeze or a held payment
    (`notice_id` from `GET /api/v1/risk/notices`), or my account in general (no `notice_id`). `message`:
    5 to 1000 characters, no bank card number (400 `card_number_in_text`). An officer answers in
    writing; the answer appears in `GET /api/v1/risk/reviews`.

    Refusals: 404 `not_found` (no such notice of mine), 409 `review_already_open` (one open request per
    notice). Limited per customer (scope `sensitive`, 429 `throttled`); when the requests cannot be
    counted, 503 `rate_limit_unavailable` (try again later).

    Args:
        body (RiskReviewInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RiskReview]
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
    body: RiskReviewInputRequest,
) -> Error | RiskReview | None:
    """Ask for a human review

     Ask a person to review an automated decision about me (PIPL art. 24): a freeze or a held payment
    (`notice_id` from `GET /api/v1/risk/notices`), or my account in general (no `notice_id`). `message`:
    5 to 1000 characters, no bank card number (400 `card_number_in_text`). An officer answers in
    writing; the answer appears in `GET /api/v1/risk/reviews`.

    Refusals: 404 `not_found` (no such notice of mine), 409 `review_already_open` (one open request per
    notice). Limited per customer (scope `sensitive`, 429 `throttled`); when the requests cannot be
    counted, 503 `rate_limit_unavailable` (try again later).

    Args:
        body (RiskReviewInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RiskReview
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: RiskReviewInputRequest,
) -> Response[Error | RiskReview]:
    """Ask for a human review

     Ask a person to review an automated decision about me (PIPL art. 24): a freeze or a held payment
    (`notice_id` from `GET /api/v1/risk/notices`), or my account in general (no `notice_id`). `message`:
    5 to 1000 characters, no bank card number (400 `card_number_in_text`). An officer answers in
    writing; the answer appears in `GET /api/v1/risk/reviews`.

    Refusals: 404 `not_found` (no such notice of mine), 409 `review_already_open` (one open request per
    notice). Limited per customer (scope `sensitive`, 429 `throttled`); when the requests cannot be
    counted, 503 `rate_limit_unavailable` (try again later).

    Args:
        body (RiskReviewInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RiskReview]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: RiskReviewInputRequest,
) -> Error | RiskReview | None:
    """Ask for a human review

     Ask a person to review an automated decision about me (PIPL art. 24): a freeze or a held payment
    (`notice_id` from `GET /api/v1/risk/notices`), or my account in general (no `notice_id`). `message`:
    5 to 1000 characters, no bank card number (400 `card_number_in_text`). An officer answers in
    writing; the answer appears in `GET /api/v1/risk/reviews`.

    Refusals: 404 `not_found` (no such notice of mine), 409 `review_already_open` (one open request per
    notice). Limited per customer (scope `sensitive`, 429 `throttled`); when the requests cannot be
    counted, 503 `rate_limit_unavailable` (try again later).

    Args:
        body (RiskReviewInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RiskReview
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
