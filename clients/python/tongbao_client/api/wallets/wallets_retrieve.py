from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.wallet_output import WalletOutput
from ...types import Response


def _get_kwargs(
    ident: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/wallets/{ident}".format(
            ident=quote(str(ident), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | WalletOutput | None:
    if response.status_code == 200:
        response_200 = WalletOutput.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | WalletOutput]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    ident: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | WalletOutput]:
    """One wallet, by id or currency code

     `ident` is the wallet's id or a currency code (`CNY`).

    Args:
        ident (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WalletOutput]
    """

    kwargs = _get_kwargs(
        ident=ident,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    ident: str,
    *,
    client: AuthenticatedClient,
) -> Error | WalletOutput | None:
    """One wallet, by id or currency code

     `ident` is the wallet's id or a currency code (`CNY`).

    Args:
        ident (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WalletOutput
    """

    return sync_detailed(
        ident=ident,
        client=client,
    ).parsed


async def asyncio_detailed(
    ident: str,
    *,
    client: AuthenticatedClient,
) -> Response[Error | WalletOutput]:
    """One wallet, by id or currency code

     `ident` is the wallet's id or a currency code (`CNY`).

    Args:
        ident (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WalletOutput]
    """

    kwargs = _get_kwargs(
        ident=ident,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    ident: str,
    *,
    client: AuthenticatedClient,
) -> Error | WalletOutput | None:
    """One wallet, by id or currency code

     `ident` is the wallet's id or a currency code (`CNY`).

    Args:
        ident (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WalletOutput
    """

    return (
        await asyncio_detailed(
            ident=ident,
            client=client,
        )
    ).parsed
