from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.passkey_options import PasskeyOptions
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/me/passkeys/options",
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | PasskeyOptions | None:
    if response.status_code == 200:
        response_200 = PasskeyOptions.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

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
    client: AuthenticatedClient,
) -> Response[Error | PasskeyOptions]:
    """Start registering a passkey on this device

     No body. The device of this token must be trusted (signed in with a LOGIN code or at registration),
    else 403 `device_not_trusted`. `public_key` is the PublicKeyCredentialCreationOptionsJSON for the
    platform (`navigator.credentials.create()`): resident key and user verification required,
    attestation `none`, the customer's live passkeys in `excludeCredentials`, the masked phone as the
    user name. Then `POST /api/v1/me/passkeys` with the answer within `expires_at` (3 minutes).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PasskeyOptions]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Error | PasskeyOptions | None:
    """Start registering a passkey on this device

     No body. The device of this token must be trusted (signed in with a LOGIN code or at registration),
    else 403 `device_not_trusted`. `public_key` is the PublicKeyCredentialCreationOptionsJSON for the
    platform (`navigator.credentials.create()`): resident key and user verification required,
    attestation `none`, the customer's live passkeys in `excludeCredentials`, the masked phone as the
    user name. Then `POST /api/v1/me/passkeys` with the answer within `expires_at` (3 minutes).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PasskeyOptions
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Error | PasskeyOptions]:
    """Start registering a passkey on this device

     No body. The device of this token must be trusted (signed in with a LOGIN code or at registration),
    else 403 `device_not_trusted`. `public_key` is the PublicKeyCredentialCreationOptionsJSON for the
    platform (`navigator.credentials.create()`): resident key and user verification required,
    attestation `none`, the customer's live passkeys in `excludeCredentials`, the masked phone as the
    user name. Then `POST /api/v1/me/passkeys` with the answer within `expires_at` (3 minutes).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PasskeyOptions]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Error | PasskeyOptions | None:
    """Start registering a passkey on this device

     No body. The device of this token must be trusted (signed in with a LOGIN code or at registration),
    else 403 `device_not_trusted`. `public_key` is the PublicKeyCredentialCreationOptionsJSON for the
    platform (`navigator.credentials.create()`): resident key and user verification required,
    attestation `none`, the customer's live passkeys in `excludeCredentials`, the masked phone as the
    user name. Then `POST /api/v1/me/passkeys` with the answer within `expires_at` (3 minutes).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PasskeyOptions
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
