from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.feedback import Feedback
from ...models.feedback_create_input_request import FeedbackCreateInputRequest
from ...types import UNSET, Response


def _get_kwargs(
    *,
    body: FeedbackCreateInputRequest | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/feedback",
    }

    if isinstance(body, FeedbackCreateInputRequest):
        _kwargs["files"] = body.to_multipart()

        headers["Content-Type"] = "multipart/form-data; boundary=+++"
    if isinstance(body, FeedbackCreateInputRequest):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Feedback | None:
    if response.status_code == 201:
        response_201 = Feedback.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Feedback]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: FeedbackCreateInputRequest | Unset = UNSET,
) -> Response[Error | Feedback]:
    """Send feedback

     Send a problem, suggestion, complaint or praise: `rating` 1-5, `text` (1-2000 characters, no bank
    card number), optionally `transaction_id` (one of my transactions) and, as `multipart/form-data`, up
    to 3 `attachments` (screenshots). A screenshot's type is read from its bytes: PNG, JPEG or WebP only
    (a renamed file of another type is refused), each at most 512 KiB by default and the whole request
    at most 1 MiB. At most 20 feedback a day by default (429 `throttled`). A COMPLAINT opens a ticket
    (`ticket_id`) for my home branch; its answers appear in `GET /api/v1/tickets/{id}`.

    Refusals (nothing is stored): 400 `invalid_request` (empty text, rating out of range...), 404
    `transaction_not_found` (no such transaction of mine), 413 `attachment_too_large`, 415
    `attachment_type_not_allowed`, 400 `too_many_attachments`.

    Args:
        body (FeedbackCreateInputRequest):
        body (FeedbackCreateInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Feedback]
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
    body: FeedbackCreateInputRequest | Unset = UNSET,
) -> Error | Feedback | None:
    """Send feedback

     Send a problem, suggestion, complaint or praise: `rating` 1-5, `text` (1-2000 characters, no bank
    card number), optionally `transaction_id` (one of my transactions) and, as `multipart/form-data`, up
    to 3 `attachments` (screenshots). A screenshot's type is read from its bytes: PNG, JPEG or WebP only
    (a renamed file of another type is refused), each at most 512 KiB by default and the whole request
    at most 1 MiB. At most 20 feedback a day by default (429 `throttled`). A COMPLAINT opens a ticket
    (`ticket_id`) for my home branch; its answers appear in `GET /api/v1/tickets/{id}`.

    Refusals (nothing is stored): 400 `invalid_request` (empty text, rating out of range...), 404
    `transaction_not_found` (no such transaction of mine), 413 `attachment_too_large`, 415
    `attachment_type_not_allowed`, 400 `too_many_attachments`.

    Args:
        body (FeedbackCreateInputRequest):
        body (FeedbackCreateInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Feedback
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: FeedbackCreateInputRequest | Unset = UNSET,
) -> Response[Error | Feedback]:
    """Send feedback

     Send a problem, suggestion, complaint or praise: `rating` 1-5, `text` (1-2000 characters, no bank
    card number), optionally `transaction_id` (one of my transactions) and, as `multipart/form-data`, up
    to 3 `attachments` (screenshots). A screenshot's type is read from its bytes: PNG, JPEG or WebP only
    (a renamed file of another type is refused), each at most 512 KiB by default and the whole request
    at most 1 MiB. At most 20 feedback a day by default (429 `throttled`). A COMPLAINT opens a ticket
    (`ticket_id`) for my home branch; its answers appear in `GET /api/v1/tickets/{id}`.

    Refusals (nothing is stored): 400 `invalid_request` (empty text, rating out of range...), 404
    `transaction_not_found` (no such transaction of mine), 413 `attachment_too_large`, 415
    `attachment_type_not_allowed`, 400 `too_many_attachments`.

    Args:
        body (FeedbackCreateInputRequest):
        body (FeedbackCreateInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Feedback]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: FeedbackCreateInputRequest | Unset = UNSET,
) -> Error | Feedback | None:
    """Send feedback

     Send a problem, suggestion, complaint or praise: `rating` 1-5, `text` (1-2000 characters, no bank
    card number), optionally `transaction_id` (one of my transactions) and, as `multipart/form-data`, up
    to 3 `attachments` (screenshots). A screenshot's type is read from its bytes: PNG, JPEG or WebP only
    (a renamed file of another type is refused), each at most 512 KiB by default and the whole request
    at most 1 MiB. At most 20 feedback a day by default (429 `throttled`). A COMPLAINT opens a ticket
    (`ticket_id`) for my home branch; its answers appear in `GET /api/v1/tickets/{id}`.

    Refusals (nothing is stored): 400 `invalid_request` (empty text, rating out of range...), 404
    `transaction_not_found` (no such transaction of mine), 413 `attachment_too_large`, 415
    `attachment_type_not_allowed`, 400 `too_many_attachments`.

    Args:
        body (FeedbackCreateInputRequest):
        body (FeedbackCreateInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Feedback
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
