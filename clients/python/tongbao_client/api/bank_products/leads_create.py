from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.product_lead import ProductLead
from ...models.product_lead_input_request import ProductLeadInputRequest
from ...types import Response


def _get_kwargs(
    *,
    body: ProductLeadInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/leads",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | ProductLead | None:
    if response.status_code == 201:
        response_201 = ProductLead.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | ProductLead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ProductLeadInputRequest,
) -> Response[Error | ProductLead]:
    """Express interest in or apply for a product

     Asks my home branch to contact me about a product I am eligible for (INTEREST), or to start an
    application (APPLICATION). The branch answers by `contact_due_at`; no credit decision is made here.
    `note`: up to 500 characters, no bank card number.

    Refusals: 404 `product_not_found` (not offered), 403 `product_not_eligible`, 409 `lead_already_open`
    (I already have an open request for it: nothing new is stored). Limited per customer (scope
    `sensitive`, 429 `throttled`).

    Args:
        body (ProductLeadInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ProductLead]
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
    body: ProductLeadInputRequest,
) -> Error | ProductLead | None:
    """Express interest in or apply for a product

     Asks my home branch to contact me about a product I am eligible for (INTEREST), or to start an
    application (APPLICATION). The branch answers by `contact_due_at`; no credit decision is made here.
    `note`: up to 500 characters, no bank card number.

    Refusals: 404 `product_not_found` (not offered), 403 `product_not_eligible`, 409 `lead_already_open`
    (I already have an open request for it: nothing new is stored). Limited per customer (scope
    `sensitive`, 429 `throttled`).

    Args:
        body (ProductLeadInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ProductLead
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ProductLeadInputRequest,
) -> Response[Error | ProductLead]:
    """Express interest in or apply for a product

     Asks my home branch to contact me about a product I am eligible for (INTEREST), or to start an
    application (APPLICATION). The branch answers by `contact_due_at`; no credit decision is made here.
    `note`: up to 500 characters, no bank card number.

    Refusals: 404 `product_not_found` (not offered), 403 `product_not_eligible`, 409 `lead_already_open`
    (I already have an open request for it: nothing new is stored). Limited per customer (scope
    `sensitive`, 429 `throttled`).

    Args:
        body (ProductLeadInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ProductLead]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ProductLeadInputRequest,
) -> Error | ProductLead | None:
    """Express interest in or apply for a product

     Asks my home branch to contact me about a product I am eligible for (INTEREST), or to start an
    application (APPLICATION). The branch answers by `contact_due_at`; no credit decision is made here.
    `note`: up to 500 characters, no bank card number.

    Refusals: 404 `product_not_found` (not offered), 403 `product_not_eligible`, 409 `lead_already_open`
    (I already have an open request for it: nothing new is stored). Limited per customer (scope
    `sensitive`, 429 `throttled`).

    Args:
        body (ProductLeadInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ProductLead
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
