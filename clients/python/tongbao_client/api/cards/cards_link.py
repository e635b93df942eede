from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.card_list_input_request import CardListInputRequest
from ...models.card_output import CardOutput
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    *,
    body: CardListInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/cards",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CardOutput | Error | None:
    if response.status_code == 201:
        response_201 = CardOutput.from_dict(response.json())

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

    if response.status_code == 423:
        response_423 = Error.from_dict(response.json())

        return response_423

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[CardOutput | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CardListInputRequest,
) -> Response[CardOutput | Error]:
    """Link a bank card from the gateway SDK's token

     The app's bank gateway SDK takes the card number and returns a token; send the token, the bank name
    and the last 4 digits, never the number (a 12+ digit run anywhere: 400 `card_number_refused`). In
    development the simulated gateway accepts `gw_tok_` + 8 or more letters/digits (e.g.
    `gw_tok_8f3k2m9q`) and any last 4; `gw_tok_revoked...` is refused. Step-up: `pin` (the payment PIN)
    or a STEP_UP `otp_code`.

    Args:
        body (CardListInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CardOutput | Error]
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
    body: CardListInputRequest,
) -> CardOutput | Error | None:
    """Link a bank card from the gateway SDK's token

     The app's bank gateway SDK takes the card number and returns a token; send the token, the bank name
    and the last 4 digits, never the number (a 12+ digit run anywhere: 400 `card_number_refused`). In
    development the simulated gateway accepts `gw_tok_` + 8 or more letters/digits (e.g.
    `gw_tok_8f3k2m9q`) and any last 4; `gw_tok_revoked...` is refused. Step-up: `pin` (the payment PIN)
    or a STEP_UP `otp_code`.

    Args:
        body (CardListInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CardOutput | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CardListInputRequest,
) -> Response[CardOutput | Error]:
    """Link a bank card from the gateway SDK's token

     The app's bank gateway SDK takes the card number and returns a token; send the token, the bank name
    and the last 4 digits, never the number (a 12+ digit run anywhere: 400 `card_number_refused`). In
    development the simulated gateway accepts `gw_tok_` + 8 or more letters/digits (e.g.
    `gw_tok_8f3k2m9q`) and any last 4; `gw_tok_revoked...` is refused. Step-up: `pin` (the payment PIN)
    or a STEP_UP `otp_code`.

    Args:
        body (CardListInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CardOutput | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CardListInputRequest,
) -> CardOutput | Error | None:
    """Link a bank card from the gateway SDK's token

     The app's bank gateway SDK takes the card number and returns a token; send the token, the bank name
    and the last 4 digits, never the number (a 12+ digit run anywhere: 400 `card_number_refused`). In
    development the simulated gateway accepts `gw_tok_` + 8 or more letters/digits (e.g.
    `gw_tok_8f3k2m9q`) and any last 4; `gw_tok_revoked...` is refused. Step-up: `pin` (the payment PIN)
    or a STEP_UP `otp_code`.

    Args:
        body (CardListInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CardOutput | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
