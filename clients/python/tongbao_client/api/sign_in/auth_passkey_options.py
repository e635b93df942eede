from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.auth_passkey_options_input_request import AuthPasskeyOptionsInputRequest
from ...models.error import Error
from ...models.passkey_options import PasskeyOptions
from ...types import Response


def _get_kwargs(
    *,
    body: AuthPasskeyOptionsInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/passkey/options",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PasskeyOptions | None:
    if response.status_code == 200:
        response_200 = PasskeyOptions.from_dict(response.json())

        return response_200

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
) -> Response[Error | PasskeyOptions]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthPasskeyOptionsInputRequest,
) -> Response[Error | PasskeyOptions]:
    """Start signing in with a passkey

     Step 1 of a passkey sign-in on a device where the customer registered one (`POST
    /api/v1/me/passkeys`). Send the app install's `device_id`; the answer names nobody: `public_key` is
    the PublicKeyCredentialRequestOptionsJSON with an empty `allowCredentials` (the phone offers its own
    passkeys for our RP id) and `userVerification: required`. Hand `public_key` to the platform's
    passkey API (`navigator.credentials.get()`, Android Credential Manager, iOS `ASAuthorization`), then
    send its answer to `POST /api/v1/auth/passkey/login` with `challenge_id` within `expires_at` (3
    minutes); a challenge is single use.

    Args:
        body (AuthPasskeyOptionsInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PasskeyOptions]
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
    body: AuthPasskeyOptionsInputRequest,
) -> Error | PasskeyOptions | None:
    """Start signing in with a passkey

     Step 1 of a passkey sign-in on a device where the customer registered one (`POST
    /api/v1/me/passkeys`). Send the app install's `device_id`; the answer names nobody: `public_key` is
    the PublicKeyCredentialRequestOptionsJSON with an empty `allowCredentials` (the phone offers its own
    passkeys for our RP id) and `userVerification: required`. Hand `public_key` to the platform's
    passkey API (`navigator.credentials.get()`, Android Credential Manager, iOS `ASAuthorization`), then
    send its answer to `POST /api/v1/auth/passkey/login` with `challenge_id` within `expires_at` (3
    minutes); a challenge is single use.

    Args:
        body (AuthPasskeyOptionsInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PasskeyOptions
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AuthPasskeyOptionsInputRequest,
) -> Response[Error | PasskeyOptions]:
    """Start signing in with a passkey

     Step 1 of a passkey sign-in on a device where the customer registered one (`POST
    /api/v1/me/passkeys`). Send the app install's `device_id`; the answer names nobody: `public_key` is
    the PublicKeyCredentialRequestOptionsJSON with an empty `allowCredentials` (the phone offers its own
    passkeys for our RP id) and `userVerification: required`. Hand `public_key` to the platform's
    passkey API (`navigator.credentials.get()`, Android Credential Manager, iOS `ASAuthorization`), then
    send its answer to `POST /api/v1/auth/passkey/login` with `challenge_id` within `expires_at` (3
    minutes); a challenge is single use.

    Args:
        body (AuthPasskeyOptionsInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PasskeyOptions]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AuthPasskeyOptionsInputRequest,
) -> Error | PasskeyOptions | None:
    """Start signing in with a passkey

     Step 1 of a passkey sign-in on a device where the customer registered one (`POST
    /api/v1/me/passkeys`). Send the app install's `device_id`; the answer names nobody: `public_key` is
    the PublicKeyCredentialRequestOptionsJSON with an empty `allowCredentials` (the phone offers its own
    passkeys for our RP id) and `userVerification: required`. Hand `public_key` to the platform's
    passkey API (`navigator.credentials.get()`, Android Credential Manager, iOS `ASAuthorization`), then
    send its answer to `POST /api/v1/auth/passkey/login` with `challenge_id` within `expires_at` (3
    minutes); a challenge is single use.

    Args:
        body (AuthPasskeyOptionsInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PasskeyOptions
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
