"""Bounded schemathesis run inside the suite: every operation of /api/v1/schema, a few generated
requests each, sent through the Django WSGI app with a valid Bearer token for a funded customer.

Checks: no 5xx (``not_a_server_error``) and every response body matches the schema for its status
(``response_schema_conformance``). ``make fuzz`` (tools/fuzz.py) runs the same checks over real HTTP
with 5,000+ requests; this one keeps the suite fast (``EVIDENCE_FUZZ_EXAMPLES``, default 8 per
operation, well under 60 s).
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.evidence.world import fund, make_actor

EXAMPLES = int(os.environ.get("EVIDENCE_FUZZ_EXAMPLES", "8"))
# Operations that end the session the fuzzer relies on; they are covered by their own tests and
# by ``make fuzz``, which re-issues tokens as needed.
SESSION_ENDING = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/password")}


# Failures found and reported to their owner, not yet fixed: listed so the suite stays green while
# the report is open, and shown as warnings on every run. Remove an entry when its fix lands.
# Operations with a reported, not yet fixed schema mismatch (they warn instead of failing). Empty:
# the history page's paginated body is documented as `HistoryPage` since 2026-11-23.
KNOWN_ISSUES: dict[str, str] = {}


def fuzz_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": f"fuzz-{uuid.uuid4()}"}


def run_operation(operation: Any, token: str, examples: int) -> list[str]:
    """Generate ``examples`` requests for one operation; return failure descriptions (empty = good)."""
    failures: list[str] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        headers = {k: v for k, v in fuzz_headers(token).items() if k not in (case.headers or {})}
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        except (AssertionError, FailureGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {' '.join(str(exc).split())[:600]}")

    check()
    if operation.method.upper() == "GET" and "{" not in operation.path:
        # The plain request (no optional parameters) too: generated ones often carry a filter that
        # makes the server answer 400, which would leave the 200 shape unchecked.
        plain = operation.Case()
        response = plain.call(headers=fuzz_headers(token))
        try:
            plain.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        except (AssertionError, FailureGroup) as exc:
            failures.append(f"GET {operation.path} (plain): {' '.join(str(exc).split())[:600]}")
    return failures


@pytest.fixture
def _wsgi_app() -> Iterator[WSGIHandler]:
    """The production WSGI handler (full middleware stack), minus closing the database connection
    after each request, which would end the test's transaction (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_generated_requests_get_no_5xx_and_match_the_schema(_wsgi_app: WSGIHandler) -> None:
    actor = make_actor()
    fund(actor, "1000.00")
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema", _wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]

    failures: list[str] = []
    for operation in operations:
        if (operation.method.upper(), operation.path) in SESSION_ENDING:
            continue
        failures.extend(run_operation(operation, actor.token, EXAMPLES))

    known = [f for f in failures if f.split(" (plain)")[0].split(":")[0] in KNOWN_ISSUES]
    for failure in known:
        warnings.warn(f"known schema issue (reported): {failure[:300]}", stacklevel=1)
    assert operations, "the OpenAPI schema lists no operation"
    assert sorted(set(failures) - set(known)) == []
