from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.auth_otp_request_input_request import AuthOtpRequestInputRequest
from ...models.auth_otp_request_output import AuthOtpRequestOutput
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    *,
    body: AuthOtpRequestInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/otp",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AuthOtpRequestOutput | Error | None:
    if response.status_code == 202:
        response_202 = AuthOtpRequestOutput.from_dict(response.json())

        return response_202

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AuthOtpRequestOutput | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthOtpRequestInputRequest,
) -> Response[AuthOtpRequestOutput | Error]:
    """Send a one-time code by SMS

     Step 1 of registration, of sign-in on a new device, and of a password reset. Always 202 with the
    same body, whether or not the phone has an account (no enumeration). In development no SMS leaves
    the machine: the code is printed in the `make run` output (`DEV SMS to +86...`) and listed in the
    admin under **SMS codes (development only)**. A code lasts 5 minutes; one resend a minute.

    Args:
        body (AuthOtpRequestInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuthOtpRequestOutput | Error]
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
    body: AuthOtpRequestInputRequest,
) -> AuthOtpRequestOutput | Error | None:
    """Send a one-time code by SMS

     Step 1 of registration, of sign-in on a new device, and of a password reset. Always 202 with the
    same body, whether or not the phone has an account (no enumeration). In development no SMS leaves
    the machine: the code is printed in the `make run` output (`DEV SMS to +86...`) and listed in the
    admin under **SMS codes (development only)**. A code lasts 5 minutes; one resend a minute.

    Args:
        body (AuthOtpRequestInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuthOtpRequestOutput | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthOtpRequestInputRequest,
) -> Response[AuthOtpRequestOutput | Error]:
    """Send a one-time code by SMS

     Step 1 of registration, of sign-in on a new device, and of a password reset. Always 202 with the
    same body, whether or not the phone has an account (no enumeration). In development no SMS leaves
    the machine: the code is printed in the `make run` output (`DEV SMS to +86...`) and listed in the
    admin under **SMS codes (development only)**. A code lasts 5 minutes; one resend a minute.

    Args:
        body (AuthOtpRequestInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuthOtpRequestOutput | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AuthOtpRequestInputRequest,
) -> AuthOtpRequestOutput | Error | None:
    """Send a one-time code by SMS

     Step 1 of registration, of sign-in on a new device, and of a password reset. Always 202 with the
    same body, whether or not the phone has an account (no enumeration). In development no SMS leaves
    the machine: the code is printed in the `make run` output (`DEV SMS to +86...`) and listed in the
    admin under **SMS codes (development only)**. A code lasts 5 minutes; one resend a minute.

    Args:
        body (AuthOtpRequestInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuthOtpRequestOutput | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
