from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.consent_output import ConsentOutput
from ...models.error import Error
from ...models.me_consent_list_input_request import MeConsentListInputRequest
from ...types import Response


def _get_kwargs(
    *,
    body: MeConsentListInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/me/consents",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ConsentOutput | Error | None:
    if response.status_code == 201:
        response_201 = ConsentOutput.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ConsentOutput | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: MeConsentListInputRequest,
) -> Response[ConsentOutput | Error]:
    """Agree to a consent text

     At the current `version` of the purpose's text (`GET /api/v1/consent-texts`); another version is 400
    `consent_version_invalid`. Agreeing again to the same version changes nothing.

    Args:
        body (MeConsentListInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConsentOutput | Error]
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
    body: MeConsentListInputRequest,
) -> ConsentOutput | Error | None:
    """Agree to a consent text

     At the current `version` of the purpose's text (`GET /api/v1/consent-texts`); another version is 400
    `consent_version_invalid`. Agreeing again to the same version changes nothing.

    Args:
        body (MeConsentListInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConsentOutput | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: MeConsentListInputRequest,
) -> Response[ConsentOutput | Error]:
    """Agree to a consent text

     At the current `version` of the purpose's text (`GET /api/v1/consent-texts`); another version is 400
    `consent_version_invalid`. Agreeing again to the same version changes nothing.

    Args:
        body (MeConsentListInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ConsentOutput | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: MeConsentListInputRequest,
) -> ConsentOutput | Error | None:
    """Agree to a consent text

     At the current `version` of the purpose's text (`GET /api/v1/consent-texts`); another version is 400
    `consent_version_invalid`. Agreeing again to the same version changes nothing.

    Args:
        body (MeConsentListInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ConsentOutput | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
