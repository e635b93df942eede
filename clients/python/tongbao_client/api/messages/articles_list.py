from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.article_page import ArticlePage
from ...models.articles_list_kind import ArticlesListKind
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    kind: ArticlesListKind | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    json_kind: str | Unset = UNSET
    if not isinstance(kind, Unset):
        json_kind = kind

    params["kind"] = json_kind

    params["page_size"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/articles",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ArticlePage | Error | None:
    if response.status_code == 200:
        response_200 = ArticlePage.from_dict(response.json())

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[ArticlePage | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    kind: ArticlesListKind | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[ArticlePage | Error]:
    """Tutorials and security tips

     The bank's published articles, newest first: how-to tutorials (TUTORIAL) and security tips
    (SECURITY_TIP: never share a one-time code, recognising fraud...). `kind` filters. Each was approved
    by a second member of staff before publication. Title and body in the request's language.

    Args:
        cursor (str | Unset):
        kind (ArticlesListKind | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ArticlePage | Error]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        kind=kind,
        page_size=page_size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    kind: ArticlesListKind | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> ArticlePage | Error | None:
    """Tutorials and security tips

     The bank's published articles, newest first: how-to tutorials (TUTORIAL) and security tips
    (SECURITY_TIP: never share a one-time code, recognising fraud...). `kind` filters. Each was approved
    by a second member of staff before publication. Title and body in the request's language.

    Args:
        cursor (str | Unset):
        kind (ArticlesListKind | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ArticlePage | Error
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        kind=kind,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    kind: ArticlesListKind | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[ArticlePage | Error]:
    """Tutorials and security tips

     The bank's published articles, newest first: how-to tutorials (TUTORIAL) and security tips
    (SECURITY_TIP: never share a one-time code, recognising fraud...). `kind` filters. Each was approved
    by a second member of staff before publication. Title and body in the request's language.

    Args:
        cursor (str | Unset):
        kind (ArticlesListKind | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ArticlePage | Error]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        kind=kind,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    kind: ArticlesListKind | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> ArticlePage | Error | None:
    """Tutorials and security tips

     The bank's published articles, newest first: how-to tutorials (TUTORIAL) and security tips
    (SECURITY_TIP: never share a one-time code, recognising fraud...). `kind` filters. Each was approved
    by a second member of staff before publication. Title and body in the request's language.

    Args:
        cursor (str | Unset):
        kind (ArticlesListKind | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ArticlePage | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            kind=kind,
            page_size=page_size,
        )
    ).parsed
