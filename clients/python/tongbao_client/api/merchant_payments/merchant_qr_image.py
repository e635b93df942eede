from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.merchant_qr_image_fmt import MerchantQrImageFmt
from ...types import UNSET, Response, Unset


def _get_kwargs(
    public_id: UUID,
    fmt: MerchantQrImageFmt,
    *,
    currency: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["currency"] = currency

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/merchants/{public_id}/qr.{fmt}".format(
            public_id=quote(str(public_id), safe=""),
            fmt=quote(str(fmt), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | None:
    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    public_id: UUID,
    fmt: MerchantQrImageFmt,
    *,
    client: AuthenticatedClient | Client,
    currency: str | Unset = UNSET,
) -> Response[Error]:
    """A merchant's static QR code image (public)

     SVG or PNG, as printed on the counter; the signed payload carries no secret. Scanning it gives the
    `qr` text for the preview and the payment.

    Args:
        public_id (UUID):
        fmt (MerchantQrImageFmt):
        currency (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error]
    """

    kwargs = _get_kwargs(
        public_id=public_id,
        fmt=fmt,
        currency=currency,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    public_id: UUID,
    fmt: MerchantQrImageFmt,
    *,
    client: AuthenticatedClient | Client,
    currency: str | Unset = UNSET,
) -> Error | None:
    """A merchant's static QR code image (public)

     SVG or PNG, as printed on the counter; the signed payload carries no secret. Scanning it gives the
    `qr` text for the preview and the payment.

    Args:
        public_id (UUID):
        fmt (MerchantQrImageFmt):
        currency (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error
    """

    return sync_detailed(
        public_id=public_id,
        fmt=fmt,
        client=client,
        currency=currency,
    ).parsed


async def asyncio_detailed(
    public_id: UUID,
    fmt: MerchantQrImageFmt,
    *,
    client: AuthenticatedClient | Client,
    currency: str | Unset = UNSET,
) -> Response[Error]:
    """A merchant's static QR code image (public)

     SVG or PNG, as printed on the counter; the signed payload carries no secret. Scanning it gives the
    `qr` text for the preview and the payment.

    Args:
        public_id (UUID):
        fmt (MerchantQrImageFmt):
        currency (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error]
    """

    kwargs = _get_kwargs(
        public_id=public_id,
        fmt=fmt,
        currency=currency,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    public_id: UUID,
    fmt: MerchantQrImageFmt,
    *,
    client: AuthenticatedClient | Client,
    currency: str | Unset = UNSET,
) -> Error | None:
    """A merchant's static QR code image (public)

     SVG or PNG, as printed on the counter; the signed payload carries no secret. Scanning it gives the
    `qr` text for the preview and the payment.

    Args:
        public_id (UUID):
        fmt (MerchantQrImageFmt):
        currency (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error
    """

    return (
        await asyncio_detailed(
            public_id=public_id,
            fmt=fmt,
            client=client,
            currency=currency,
        )
    ).parsed
