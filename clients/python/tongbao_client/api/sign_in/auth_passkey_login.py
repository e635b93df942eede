from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.auth_passkey_login_input_request import AuthPasskeyLoginInputRequest
from ...models.error import Error
from ...models.token_output import TokenOutput
from ...types import Response


def _get_kwargs(
    *,
    body: AuthPasskeyLoginInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/passkey/login",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | TokenOutput | None:
    if response.status_code == 200:
        response_200 = TokenOutput.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

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
    body: AuthPasskeyLoginInputRequest,
) -> Response[Error | TokenOutput]:
    """Sign in with a passkey

     Instead of password + code: the `challenge_id` from `POST /api/v1/auth/passkey/options`, the same
    `device_id`, and the authenticator's answer as `credential`. Answers exactly what `POST
    /api/v1/auth/login` answers (one live token per device: the old one is revoked). The passkey must be
    live and registered on this very device, still trusted. A frozen customer may sign in (to read why);
    a closed account is 403 `account_not_active`.

    Refusals: 400 `passkey_challenge_invalid` (unknown, used or expired challenge, or issued for another
    device: start again), 401 `passkey_rejected` with `details.reason` (`unknown_credential`: unknown,
    revoked or registered elsewhere; `device`, `user_handle`, `origin`, `rp_id`, `user_verification`,
    `user_presence`, `challenge`, `signature`, `malformed`), 401 `passkey_counter_invalid` (the
    authenticator's counter went back: a copied passkey). Every refusal burns the challenge.

    Args:
        body (AuthPasskeyLoginInputRequest):

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
    body: AuthPasskeyLoginInputRequest,
) -> Error | TokenOutput | None:
    """Sign in with a passkey

     Instead of password + code: the `challenge_id` from `POST /api/v1/auth/passkey/options`, the same
    `device_id`, and the authenticator's answer as `credential`. Answers exactly what `POST
    /api/v1/auth/login` answers (one live token per device: the old one is revoked). The passkey must be
    live and registered on this very device, still trusted. A frozen customer may sign in (to read why);
    a closed account is 403 `account_not_active`.

    Refusals: 400 `passkey_challenge_invalid` (unknown, used or expired challenge, or issued for another
    device: start again), 401 `passkey_rejected` with `details.reason` (`unknown_credential`: unknown,
    revoked or registered elsewhere; `device`, `user_handle`, `origin`, `rp_id`, `user_verification`,
    `user_presence`, `challenge`, `signature`, `malformed`), 401 `passkey_counter_invalid` (the
    authenticator's counter went back: a copied passkey). Every refusal burns the challenge.

    Args:
        body (AuthPasskeyLoginInputRequest):

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
    body: AuthPasskeyLoginInputRequest,
) -> Response[Error | TokenOutput]:
    """Sign in with a passkey

     Instead of password + code: the `challenge_id` from `POST /api/v1/auth/passkey/options`, the same
    `device_id`, and the authenticator's answer as `credential`. Answers exactly what `POST
    /api/v1/auth/login` answers (one live token per device: the old one is revoked). The passkey must be
    live and registered on this very device, still trusted. A frozen customer may sign in (to read why);
    a closed account is 403 `account_not_active`.

    Refusals: 400 `passkey_challenge_invalid` (unknown, used or expired challenge, or issued for another
    device: start again), 401 `passkey_rejected` with `details.reason` (`unknown_credential`: unknown,
    revoked or registered elsewhere; `device`, `user_handle`, `origin`, `rp_id`, `user_verification`,
    `user_presence`, `challenge`, `signature`, `malformed`), 401 `passkey_counter_invalid` (the
    authenticator's counter went back: a copied passkey). Every refusal burns the challenge.

    Args:
        body (AuthPasskeyLoginInputRequest):

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
    body: AuthPasskeyLoginInputRequest,
) -> Error | TokenOutput | None:
    """Sign in with a passkey

     Instead of password + code: the `challenge_id` from `POST /api/v1/auth/passkey/options`, the same
    `device_id`, and the authenticator's answer as `credential`. Answers exactly what `POST
    /api/v1/auth/login` answers (one live token per device: the old one is revoked). The passkey must be
    live and registered on this very device, still trusted. A frozen customer may sign in (to read why);
    a closed account is 403 `account_not_active`.

    Refusals: 400 `passkey_challenge_invalid` (unknown, used or expired challenge, or issued for another
    device: start again), 401 `passkey_rejected` with `details.reason` (`unknown_credential`: unknown,
    revoked or registered elsewhere; `device`, `user_handle`, `origin`, `rp_id`, `user_verification`,
    `user_presence`, `challenge`, `signature`, `malformed`), 401 `passkey_counter_invalid` (the
    authenticator's counter went back: a copied passkey). Every refusal burns the challenge.

    Args:
        body (AuthPasskeyLoginInputRequest):

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
