"""Reviewer fuzz: every operation of /api/v1/schema gets malformed input; none may answer 500.

Collects every 500 across all operations and payloads and fails once, listing them, so one run
shows the whole surface.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Customer
from tests.payments.factories import customer_client, wallet_fund

pytestmark = pytest.mark.django_db

SURROGATE = '"\\ud800"'  # a lone surrogate: valid JSON, not encodable as UTF-8

WEIRD_VALUES: list[str] = [  # raw JSON snippets
    SURROGATE,
    '"a\\u0000b"',
    "null",
    "[]",
    "{}",
    "true",
    "1" + "0" * 4000,
    "1e999",
    "-1",
    '"１２.３４"',
    '"12\\n"',
    '"' + "x" * 5000 + '"',
    '"٣"',
    '"2026-13-45"',
    '"00000000-0000-0000-0000-000000000000"',
]

RAW_BODIES: list[tuple[bytes, str]] = [
    (b"[]", "application/json"),
    (b'"x"', "application/json"),
    (b"1", "application/json"),
    (b"null", "application/json"),
    (b"true", "application/json"),
    (b"\xff\xfe{", "application/json"),
    (b'{"a": "\xff"}', "application/json"),
    (b"{", "application/json"),
    (b"[" * 5000, "application/json"),
    (b"a=1&b=2", "application/x-www-form-urlencoded"),
    (b"hello", "text/plain"),
    (b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n', "multipart/form-data; boundary=x"),
    (b"{}", "application/json; charset=latin-1"),
    (b"{}", "application/json; charset=bogus"),
    (SURROGATE.encode(), "application/json"),
]


def _operations(client: APIClient) -> list[tuple[str, str, list[str]]]:
    response = client.get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    text = response.content.decode()
    schema = json.loads(text) if text.lstrip().startswith("{") else __import__("yaml").safe_load(text)
    ops = []
    components = schema.get("components", {}).get("schemas", {})
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            props: list[str] = []
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ref = body.get("$ref", "")
            if ref:
                props = list(components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
            for param in op.get("parameters", []):
                if param.get("in") == "query":
                    props.append("?" + param["name"])
            ops.append((path, method, props))
    return ops


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


@pytest.fixture
def client(alice: Customer) -> APIClient:
    wallet_fund(alice, "100.00")
    c = customer_client(alice)
    c.raise_request_exception = False  # type: ignore[attr-defined]
    return c


def _call(client: APIClient, method: str, url: str, data: bytes, content_type: str) -> Any:
    return client.generic(
        method.upper(), url, data=data, content_type=content_type, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )


def test_no_operation_answers_500_to_malformed_input(client: APIClient) -> None:
    failures: list[str] = []
    ops = _operations(client)
    assert len(ops) > 20, ops
    for path, method, props in ops:
        for param in ("1", str(uuid.uuid4()), "%F0%9F%92%A9", "9" * 40, "2026-13"):
            url = _fill(path, param)
            for body, ctype in RAW_BODIES if method != "get" else [(b"", "application/json")]:
                r = _call(client, method, url, body, ctype)
                if r.status_code >= 500:
                    failures.append(f"{method.upper()} {url} {ctype} {body[:30]!r} -> {r.status_code}")
            if method == "get":
                for prop in props:
                    for raw in ("%00", "%ED%A0%80", "9" * 40, "-1", "%EF%BC%91", "2026-13", "1e999"):
                        r = client.get(f"{url}?{prop[1:]}={raw}")
                        if r.status_code >= 500:
                            failures.append(f"GET {url}?{prop[1:]}={raw} -> {r.status_code}")
                continue
            for prop in props:
                if prop.startswith("?"):
                    continue
                for raw in WEIRD_VALUES:
                    body = ("{" + json.dumps(prop) + ":" + raw + "}").encode()
                    r = _call(client, method, url, body, "application/json")
                    if r.status_code >= 500:
                        failures.append(f"{method.upper()} {url} {{{prop}: {raw[:20]}}} -> {r.status_code}")
            break_after_first_param = method == "post" and "{" not in path
            if break_after_first_param:
                break
    assert not failures, "\n".join(failures)
