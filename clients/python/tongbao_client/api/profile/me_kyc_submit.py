from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.me_kyc_input_request import MeKycInputRequest
from ...models.me_kyc_output import MeKycOutput
from ...types import Response


def _get_kwargs(
    *,
    body: MeKycInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/me/kyc",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | MeKycOutput | None:
    if response.status_code == 200:
        response_200 = MeKycOutput.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | MeKycOutput]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: MeKycInputRequest,
) -> Response[Error | MeKycOutput]:
    """Verify identity to reach KYC tier 1

     Legal name + mainland ID number, checked at once. A verified ID number that another customer holds
    answers 200 with `review_pending: true` (a branch reviews it before tier 1). Tier 2: at a branch.

    Args:
        body (MeKycInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MeKycOutput]
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
    body: MeKycInputRequest,
) -> Error | MeKycOutput | None:
    """Verify identity to reach KYC tier 1

     Legal name + mainland ID number, checked at once. A verified ID number that another customer holds
    answers 200 with `review_pending: true` (a branch reviews it before tier 1). Tier 2: at a branch.

    Args:
        body (MeKycInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MeKycOutput
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: MeKycInputRequest,
) -> Response[Error | MeKycOutput]:
    """Verify identity to reach KYC tier 1

     Legal name + mainland ID number, checked at once. A verified ID number that another customer holds
    answers 200 with `review_pending: true` (a branch reviews it before tier 1). Tier 2: at a branch.

    Args:
        body (MeKycInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MeKycOutput]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: MeKycInputRequest,
) -> Error | MeKycOutput | None:
    """Verify identity to reach KYC tier 1

     Legal name + mainland ID number, checked at once. A verified ID number that another customer holds
    answers 200 with `review_pending: true` (a branch reviews it before tier 1). Tier 2: at a branch.

    Args:
        body (MeKycInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MeKycOutput
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
