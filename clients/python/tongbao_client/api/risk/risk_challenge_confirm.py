from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.risk_challenge_confirm_input_request import RiskChallengeConfirmInputRequest
from ...models.risk_challenge_confirm_output import RiskChallengeConfirmOutput
from ...types import Response


def _get_kwargs(
    public_id: UUID,
    *,
    body: RiskChallengeConfirmInputRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/risk/challenges/{public_id}/confirm".format(
            public_id=quote(str(public_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | RiskChallengeConfirmOutput | None:
    if response.status_code == 200:
        response_200 = RiskChallengeConfirmOutput.from_dict(response.json())

        return response_200

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
) -> Response[Error | RiskChallengeConfirmOutput]:
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
    body: RiskChallengeConfirmInputRequest,
) -> Response[Error | RiskChallengeConfirmOutput]:
    """Confirm a step-up challenge

     Confirm a payment's step-up challenge with the STEP_UP code sent by SMS to my phone. The challenge
    comes from a payment answered 403 `step_up_required` (`details.challenge_id`). Once confirmed,
    repeat the payment with the same Idempotency-Key and body plus `step_up_challenge`: the challenge
    serves that payment only (same customer, payment and amount), once, before `expires_at`. Confirming
    a confirmed challenge again answers the same.

    Refusals: 404 `not_found` (unknown id, or another customer's; checked before the body), 400
    `otp_invalid` (wrong code, `details.attempts_left`), `otp_expired`, `otp_used`; 409 `step_up_used`
    (a payment used it already) and `step_up_expired` (repeat the payment for a new one); 429
    `otp_too_many_attempts` after 5 wrong codes (send the payment again after `resend_after_seconds` for
    a new code; a code from `POST /api/v1/me/otp` does not confirm a payment). Confirming is rate-
    limited (scope `otp`, 429 `throttled`); when the attempts cannot be counted, 503
    `rate_limit_unavailable` (try again later).

    Args:
        public_id (UUID):
        body (RiskChallengeConfirmInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RiskChallengeConfirmOutput]
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
    body: RiskChallengeConfirmInputRequest,
) -> Error | RiskChallengeConfirmOutput | None:
    """Confirm a step-up challenge

     Confirm a payment's step-up challenge with the STEP_UP code sent by SMS to my phone. The challenge
    comes from a payment answered 403 `step_up_required` (`details.challenge_id`). Once confirmed,
    repeat the payment with the same Idempotency-Key and body plus `step_up_challenge`: the challenge
    serves that payment only (same customer, payment and amount), once, before `expires_at`. Confirming
    a confirmed challenge again answers the same.

    Refusals: 404 `not_found` (unknown id, or another customer's; checked before the body), 400
    `otp_invalid` (wrong code, `details.attempts_left`), `otp_expired`, `otp_used`; 409 `step_up_used`
    (a payment used it already) and `step_up_expired` (repeat the payment for a new one); 429
    `otp_too_many_attempts` after 5 wrong codes (send the payment again after `resend_after_seconds` for
    a new code; a code from `POST /api/v1/me/otp` does not confirm a payment). Confirming is rate-
    limited (scope `otp`, 429 `throttled`); when the attempts cannot be counted, 503
    `rate_limit_unavailable` (try again later).

    Args:
        public_id (UUID):
        body (RiskChallengeConfirmInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RiskChallengeConfirmOutput
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
    body: RiskChallengeConfirmInputRequest,
) -> Response[Error | RiskChallengeConfirmOutput]:
    """Confirm a step-up challenge

     Confirm a payment's step-up challenge with the STEP_UP code sent by SMS to my phone. The challenge
    comes from a payment answered 403 `step_up_required` (`details.challenge_id`). Once confirmed,
    repeat the payment with the same Idempotency-Key and body plus `step_up_challenge`: the challenge
    serves that payment only (same customer, payment and amount), once, before `expires_at`. Confirming
    a confirmed challenge again answers the same.

    Refusals: 404 `not_found` (unknown id, or another customer's; checked before the body), 400
    `otp_invalid` (wrong code, `details.attempts_left`), `otp_expired`, `otp_used`; 409 `step_up_used`
    (a payment used it already) and `step_up_expired` (repeat the payment for a new one); 429
    `otp_too_many_attempts` after 5 wrong codes (send the payment again after `resend_after_seconds` for
    a new code; a code from `POST /api/v1/me/otp` does not confirm a payment). Confirming is rate-
    limited (scope `otp`, 429 `throttled`); when the attempts cannot be counted, 503
    `rate_limit_unavailable` (try again later).

    Args:
        public_id (UUID):
        body (RiskChallengeConfirmInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RiskChallengeConfirmOutput]
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
    body: RiskChallengeConfirmInputRequest,
) -> Error | RiskChallengeConfirmOutput | None:
    """Confirm a step-up challenge

     Confirm a payment's step-up challenge with the STEP_UP code sent by SMS to my phone. The challenge
    comes from a payment answered 403 `step_up_required` (`details.challenge_id`). Once confirmed,
    repeat the payment with the same Idempotency-Key and body plus `step_up_challenge`: the challenge
    serves that payment only (same customer, payment and amount), once, before `expires_at`. Confirming
    a confirmed challenge again answers the same.

    Refusals: 404 `not_found` (unknown id, or another customer's; checked before the body), 400
    `otp_invalid` (wrong code, `details.attempts_left`), `otp_expired`, `otp_used`; 409 `step_up_used`
    (a payment used it already) and `step_up_expired` (repeat the payment for a new one); 429
    `otp_too_many_attempts` after 5 wrong codes (send the payment again after `resend_after_seconds` for
    a new code; a code from `POST /api/v1/me/otp` does not confirm a payment). Confirming is rate-
    limited (scope `otp`, 429 `throttled`); when the attempts cannot be counted, 503
    `rate_limit_unavailable` (try again later).

    Args:
        public_id (UUID):
        body (RiskChallengeConfirmInputRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RiskChallengeConfirmOutput
    """

    return (
        await asyncio_detailed(
            public_id=public_id,
            client=client,
            body=body,
        )
    ).parsed
