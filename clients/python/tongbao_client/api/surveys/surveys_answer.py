from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.survey_answer import SurveyAnswer
from ...models.survey_answer_input_request import SurveyAnswerInputRequest
from ...types import Response


def _get_kwargs(
    public_id: UUID,
    *,
    body: SurveyAnswerInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/surveys/invitations/{public_id}/answer".format(
            public_id=quote(str(public_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | SurveyAnswer | None:
    if response.status_code == 201:
        response_201 = SurveyAnswer.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 410:
        response_410 = Error.from_dict(response.json())

        return response_410

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | SurveyAnswer]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    public_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SurveyAnswerInputRequest,
) -> Response[Error | SurveyAnswer]:
    """Answer a survey

     Answer one invitation, once: `score` in the invitation's range (`min_score`-`max_score`) and an
    optional comment. Refusals: 404 `not_found` (no such invitation of mine), 409
    `survey_already_answered`, 410 `survey_expired`, 400 `invalid_request` (score out of range).

    Args:
        public_id (UUID):
        body (SurveyAnswerInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SurveyAnswer]
    """

    kwargs = _get_kwargs(
        public_id=public_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    public_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SurveyAnswerInputRequest,
) -> Error | SurveyAnswer | None:
    """Answer a survey

     Answer one invitation, once: `score` in the invitation's range (`min_score`-`max_score`) and an
    optional comment. Refusals: 404 `not_found` (no such invitation of mine), 409
    `survey_already_answered`, 410 `survey_expired`, 400 `invalid_request` (score out of range).

    Args:
        public_id (UUID):
        body (SurveyAnswerInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SurveyAnswer
    """

    return sync_detailed(
        public_id=public_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    public_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SurveyAnswerInputRequest,
) -> Response[Error | SurveyAnswer]:
    """Answer a survey

     Answer one invitation, once: `score` in the invitation's range (`min_score`-`max_score`) and an
    optional comment. Refusals: 404 `not_found` (no such invitation of mine), 409
    `survey_already_answered`, 410 `survey_expired`, 400 `invalid_request` (score out of range).

    Args:
        public_id (UUID):
        body (SurveyAnswerInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | SurveyAnswer]
    """

    kwargs = _get_kwargs(
        public_id=public_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    public_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SurveyAnswerInputRequest,
) -> Error | SurveyAnswer | None:
    """Answer a survey

     Answer one invitation, once: `score` in the invitation's range (`min_score`-`max_score`) and an
    optional comment. Refusals: 404 `not_found` (no such invitation of mine), 409
    `survey_already_answered`, 410 `survey_expired`, 400 `invalid_request` (score out of range).

    Args:
        public_id (UUID):
        body (SurveyAnswerInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | SurveyAnswer
    """

    return (
        await asyncio_detailed(
            public_id=public_id,
            client=client,
            body=body,
        )
    ).parsed
