from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.me_passkey_register_input_request import MePasskeyRegisterInputRequest
from ...models.passkey import Passkey
from ...types import Response


def _get_kwargs(
    *,
    body: MePasskeyRegisterInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/me/passkeys",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | Passkey | None:
    if response.status_code == 201:
        response_201 = Passkey.from_dict(response.json())

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

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | Passkey]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: MePasskeyRegisterInputRequest,
) -> Response[Error | Passkey]:
    """Register a passkey on this device

     Step-up like linking a card: a STEP_UP `otp_code` from `POST /api/v1/me/otp`, the `challenge_id`
    from `POST /api/v1/me/passkeys/options`, and the authenticator's answer as `credential`. The code is
    checked first (wrong tries count), the challenge is consumed, the attestation verified, then the
    code is consumed and the passkey stored; a refused registration leaves the code unused. `name`
    defaults to "Passkey on <device name>".

    Refusals: 400 `passkey_challenge_invalid` (unknown, used, expired, or issued to another device), 400
    `passkey_rejected` with `details.reason` (`origin`, `rp_id`, `user_verification`, `user_presence`,
    `challenge`, `malformed`), 409 `passkey_already_registered`.

    Args:
        body (MePasskeyRegisterInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Passkey]
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
    body: MePasskeyRegisterInputRequest,
) -> Error | Passkey | None:
    """Register a passkey on this device

     Step-up like linking a card: a STEP_UP `otp_code` from `POST /api/v1/me/otp`, the `challenge_id`
    from `POST /api/v1/me/passkeys/options`, and the authenticator's answer as `credential`. The code is
    checked first (wrong tries count), the challenge is consumed, the attestation verified, then the
    code is consumed and the passkey stored; a refused registration leaves the code unused. `name`
    defaults to "Passkey on <device name>".

    Refusals: 400 `passkey_challenge_invalid` (unknown, used, expired, or issued to another device), 400
    `passkey_rejected` with `details.reason` (`origin`, `rp_id`, `user_verification`, `user_presence`,
    `challenge`, `malformed`), 409 `passkey_already_registered`.

    Args:
        body (MePasskeyRegisterInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Passkey
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: MePasskeyRegisterInputRequest,
) -> Response[Error | Passkey]:
    """Register a passkey on this device

     Step-up like linking a card: a STEP_UP `otp_code` from `POST /api/v1/me/otp`, the `challenge_id`
    from `POST /api/v1/me/passkeys/options`, and the authenticator's answer as `credential`. The code is
    checked first (wrong tries count), the challenge is consumed, the attestation verified, then the
    code is consumed and the passkey stored; a refused registration leaves the code unused. `name`
    defaults to "Passkey on <device name>".

    Refusals: 400 `passkey_challenge_invalid` (unknown, used, expired, or issued to another device), 400
    `passkey_rejected` with `details.reason` (`origin`, `rp_id`, `user_verification`, `user_presence`,
    `challenge`, `malformed`), 409 `passkey_already_registered`.

    Args:
        body (MePasskeyRegisterInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Passkey]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: MePasskeyRegisterInputRequest,
) -> Error | Passkey | None:
    """Register a passkey on this device

     Step-up like linking a card: a STEP_UP `otp_code` from `POST /api/v1/me/otp`, the `challenge_id`
    from `POST /api/v1/me/passkeys/options`, and the authenticator's answer as `credential`. The code is
    checked first (wrong tries count), the challenge is consumed, the attestation verified, then the
    code is consumed and the passkey stored; a refused registration leaves the code unused. `name`
    defaults to "Passkey on <device name>".

    Refusals: 400 `passkey_challenge_invalid` (unknown, used, expired, or issued to another device), 400
    `passkey_rejected` with `details.reason` (`origin`, `rp_id`, `user_verification`, `user_presence`,
    `challenge`, `malformed`), 409 `passkey_already_registered`.

    Args:
        body (MePasskeyRegisterInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Passkey
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
