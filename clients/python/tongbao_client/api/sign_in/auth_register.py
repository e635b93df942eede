from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.auth_register_input_request import AuthRegisterInputRequest
from ...models.error import Error
from ...models.token_output import TokenOutput
from ...types import Response


def _get_kwargs(
    *,
    body: AuthRegisterInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/register",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | TokenOutput | None:
    if response.status_code == 201:
        response_201 = TokenOutput.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | TokenOutput]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthRegisterInputRequest,
) -> Response[Error | TokenOutput]:
    """Register and sign in on this device

     With the REGISTER code from `POST /api/v1/auth/otp` and the current consent versions from `GET
    /api/v1/consent-texts` (any other version: 400 `consent_version_invalid`, the code is kept). Answers
    the bearer token, shown once: send it as `Authorization: Bearer <token>`. The new wallet starts at
    KYC tier 0 (`GET /api/v1/kyc/tiers`).

    Args:
        body (AuthRegisterInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | TokenOutput]
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
    client: AuthenticatedClient | Client,
    body: AuthRegisterInputRequest,
) -> Error | TokenOutput | None:
    """Register and sign in on this device

     With the REGISTER code from `POST /api/v1/auth/otp` and the current consent versions from `GET
    /api/v1/consent-texts` (any other version: 400 `consent_version_invalid`, the code is kept). Answers
    the bearer token, shown once: send it as `Authorization: Bearer <token>`. The new wallet starts at
    KYC tier 0 (`GET /api/v1/kyc/tiers`).

    Args:
        body (AuthRegisterInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | TokenOutput
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthRegisterInputRequest,
) -> Response[Error | TokenOutput]:
    """Register and sign in on this device

     With the REGISTER code from `POST /api/v1/auth/otp` and the current consent versions from `GET
    /api/v1/consent-texts` (any other version: 400 `consent_version_invalid`, the code is kept). Answers
    the bearer token, shown once: send it as `Authorization: Bearer <token>`. The new wallet starts at
    KYC tier 0 (`GET /api/v1/kyc/tiers`).

    Args:
        body (AuthRegisterInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | TokenOutput]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AuthRegisterInputRequest,
) -> Error | TokenOutput | None:
    """Register and sign in on this device

     With the REGISTER code from `POST /api/v1/auth/otp` and the current consent versions from `GET
    /api/v1/consent-texts` (any other version: 400 `consent_version_invalid`, the code is kept). Answers
    the bearer token, shown once: send it as `Authorization: Bearer <token>`. The new wallet starts at
    KYC tier 0 (`GET /api/v1/kyc/tiers`).

    Args:
        body (AuthRegisterInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | TokenOutput
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
