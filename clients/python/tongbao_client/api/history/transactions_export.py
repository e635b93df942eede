import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.transactions_export_direction import TransactionsExportDirection
from ...models.transactions_export_kind_item import TransactionsExportKindItem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    counterparty: UUID | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    currency: str | Unset = UNSET,
    date_from: datetime.date | Unset = UNSET,
    date_to: datetime.date | Unset = UNSET,
    direction: TransactionsExportDirection | Unset = UNSET,
    kind: list[TransactionsExportKindItem] | Unset = UNSET,
    max_amount: str | Unset = UNSET,
    min_amount: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_counterparty: str | Unset = UNSET
    if not isinstance(counterparty, Unset):
        json_counterparty = str(counterparty)
    params["counterparty"] = json_counterparty

    json_created_after: str | Unset = UNSET
    if not isinstance(created_after, Unset):
        json_created_after = created_after.isoformat()
    params["created_after"] = json_created_after

    json_created_before: str | Unset = UNSET
    if not isinstance(created_before, Unset):
        json_created_before = created_before.isoformat()
    params["created_before"] = json_created_before

    params["currency"] = currency

    json_date_from: str | Unset = UNSET
    if not isinstance(date_from, Unset):
        json_date_from = date_from.isoformat()
    params["date_from"] = json_date_from

    json_date_to: str | Unset = UNSET
    if not isinstance(date_to, Unset):
        json_date_to = date_to.isoformat()
    params["date_to"] = json_date_to

    json_direction: str | Unset = UNSET
    if not isinstance(direction, Unset):
        json_direction = direction

    params["direction"] = json_direction

    json_kind: list[str] | Unset = UNSET
    if not isinstance(kind, Unset):
        json_kind = []
        for kind_item_data in kind:
            kind_item: str = kind_item_data
            json_kind.append(kind_item)

    params["kind"] = json_kind

    params["max_amount"] = max_amount

    params["min_amount"] = min_amount

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/transactions/export.csv",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    counterparty: UUID | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    currency: str | Unset = UNSET,
    date_from: datetime.date | Unset = UNSET,
    date_to: datetime.date | Unset = UNSET,
    direction: TransactionsExportDirection | Unset = UNSET,
    kind: list[TransactionsExportKindItem] | Unset = UNSET,
    max_amount: str | Unset = UNSET,
    min_amount: str | Unset = UNSET,
) -> Response[Error | str]:
    """Transaction history as CSV

     Every entry matching the same filters as the list, streamed (UTF-8 with a BOM for spreadsheet apps).
    `created_at` is in the customer's time zone with its offset (`2026-11-30T16:15:30+08:00`): the file
    is read by a person. Text cells never start with a formula character.

    Args:
        counterparty (UUID | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        currency (str | Unset):
        date_from (datetime.date | Unset):
        date_to (datetime.date | Unset):
        direction (TransactionsExportDirection | Unset):
        kind (list[TransactionsExportKindItem] | Unset):
        max_amount (str | Unset):
        min_amount (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | str]
    """

    kwargs = _get_kwargs(
        counterparty=counterparty,
        created_after=created_after,
        created_before=created_before,
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        direction=direction,
        kind=kind,
        max_amount=max_amount,
        min_amount=min_amount,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    counterparty: UUID | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    currency: str | Unset = UNSET,
    date_from: datetime.date | Unset = UNSET,
    date_to: datetime.date | Unset = UNSET,
    direction: TransactionsExportDirection | Unset = UNSET,
    kind: list[TransactionsExportKindItem] | Unset = UNSET,
    max_amount: str | Unset = UNSET,
    min_amount: str | Unset = UNSET,
) -> Error | str | None:
    """Transaction history as CSV

     Every entry matching the same filters as the list, streamed (UTF-8 with a BOM for spreadsheet apps).
    `created_at` is in the customer's time zone with its offset (`2026-11-30T16:15:30+08:00`): the file
    is read by a person. Text cells never start with a formula character.

    Args:
        counterparty (UUID | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        currency (str | Unset):
        date_from (datetime.date | Unset):
        date_to (datetime.date | Unset):
        direction (TransactionsExportDirection | Unset):
        kind (list[TransactionsExportKindItem] | Unset):
        max_amount (str | Unset):
        min_amount (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | str
    """

    return sync_detailed(
        client=client,
        counterparty=counterparty,
        created_after=created_after,
        created_before=created_before,
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        direction=direction,
        kind=kind,
        max_amount=max_amount,
        min_amount=min_amount,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    counterparty: UUID | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    currency: str | Unset = UNSET,
    date_from: datetime.date | Unset = UNSET,
    date_to: datetime.date | Unset = UNSET,
    direction: TransactionsExportDirection | Unset = UNSET,
    kind: list[TransactionsExportKindItem] | Unset = UNSET,
    max_amount: str | Unset = UNSET,
    min_amount: str | Unset = UNSET,
) -> Response[Error | str]:
    """Transaction history as CSV

     Every entry matching the same filters as the list, streamed (UTF-8 with a BOM for spreadsheet apps).
    `created_at` is in the customer's time zone with its offset (`2026-11-30T16:15:30+08:00`): the file
    is read by a person. Text cells never start with a formula character.

    Args:
        counterparty (UUID | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        currency (str | Unset):
        date_from (datetime.date | Unset):
        date_to (datetime.date | Unset):
        direction (TransactionsExportDirection | Unset):
        kind (list[TransactionsExportKindItem] | Unset):
        max_amount (str | Unset):
        min_amount (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | str]
    """

    kwargs = _get_kwargs(
        counterparty=counterparty,
        created_after=created_after,
        created_before=created_before,
        currency=currency,
        date_from=date_from,
        date_to=date_to,
        direction=direction,
        kind=kind,
        max_amount=max_amount,
        min_amount=min_amount,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    counterparty: UUID | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    created_before: datetime.datetime | Unset = UNSET,
    currency: str | Unset = UNSET,
    date_from: datetime.date | Unset = UNSET,
    date_to: datetime.date | Unset = UNSET,
    direction: TransactionsExportDirection | Unset = UNSET,
    kind: list[TransactionsExportKindItem] | Unset = UNSET,
    max_amount: str | Unset = UNSET,
    min_amount: str | Unset = UNSET,
) -> Error | str | None:
    """Transaction history as CSV

     Every entry matching the same filters as the list, streamed (UTF-8 with a BOM for spreadsheet apps).
    `created_at` is in the customer's time zone with its offset (`2026-11-30T16:15:30+08:00`): the file
    is read by a person. Text cells never start with a formula character.

    Args:
        counterparty (UUID | Unset):
        created_after (datetime.datetime | Unset):
        created_before (datetime.datetime | Unset):
        currency (str | Unset):
        date_from (datetime.date | Unset):
        date_to (datetime.date | Unset):
        direction (TransactionsExportDirection | Unset):
        kind (list[TransactionsExportKindItem] | Unset):
        max_amount (str | Unset):
        min_amount (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | str
    """

    return (
        await asyncio_detailed(
            client=client,
            counterparty=counterparty,
            created_after=created_after,
            created_before=created_before,
            currency=currency,
            date_from=date_from,
            date_to=date_to,
            direction=direction,
            kind=kind,
            max_amount=max_amount,
            min_amount=min_amount,
        )
    ).parsed
