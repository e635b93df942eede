from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.me_otp_output import MeOtpOutput
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/me/otp",
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | MeOtpOutput | None:
    if response.status_code == 202:
        response_202 = MeOtpOutput.from_dict(response.json())

        return response_202

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | MeOtpOutput]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Error | MeOtpOutput]:
    """Send a STEP_UP code to the customer's own phone

     Step-up: a second proof for sensitive actions. Send the code as `otp_code` to link a card without
    the PIN or to change a forgotten PIN. In development the code is in the `make run` output.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MeOtpOutput]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Error | MeOtpOutput | None:
    """Send a STEP_UP code to the customer's own phone

     Step-up: a second proof for sensitive actions. Send the code as `otp_code` to link a card without
    the PIN or to change a forgotten PIN. In development the code is in the `make run` output.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MeOtpOutput
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Error | MeOtpOutput]:
    """Send a STEP_UP code to the customer's own phone

     Step-up: a second proof for sensitive actions. Send the code as `otp_code` to link a card without
    the PIN or to change a forgotten PIN. In development the code is in the `make run` output.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MeOtpOutput]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Error | MeOtpOutput | None:
    """Send a STEP_UP code to the customer's own phone

     Step-up: a second proof for sensitive actions. Send the code as `otp_code` to link a card without
    the PIN or to change a forgotten PIN. In development the code is in the `make run` output.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MeOtpOutput
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
