"""``make fuzz``: schemathesis against the OpenAPI schema over real HTTP, 5,000+ generated requests.

    python -m tools.fuzz                 # FUZZ_REQUESTS=5000 by default
    FUZZ_REQUESTS=20000 python -m tools.fuzz

Starts gunicorn (DEBUG off) on a dedicated, migrated database (``<db>_fuzz``), creates a funded
customer with a valid Bearer token, loads ``/api/v1/schema`` from the running server, and for
every operation generates requests (hypothesis, through schemathesis' strategies) until the total
reaches FUZZ_REQUESTS. Checks on every response: ``not_a_server_error`` (no 5xx) and
``response_schema_conformance`` (the body matches the schema for its status). Operations that end
the session (logout, password change) get a fresh token per request. Exit 1 on any failure;
failures are printed with a curl command to reproduce. Results in ``fuzz-results.json``.
"""

from __future__ import annotations

import math
import os
import sys
import time
import uuid
from collections import Counter
from typing import Any

import requests

from tools import bench_world, loadlib

REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "5000"))
SESSION_ENDING = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/password")}


def fresh_token(customer_id: int) -> str:
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    from accounts.authentication import token_hash
    from accounts.models import CustomerToken, Device

    device = Device.objects.create(customer_id=customer_id, device_id=f"fuzz-{uuid.uuid4()}", trusted=True)
    raw = secrets.token_urlsafe(32)
    CustomerToken.objects.create(
        customer_id=customer_id, device=device, key_hash=token_hash(raw), expires_at=timezone.now() + timedelta(days=1)
    )
    return raw


def main(argv: list[str]) -> int:
    loadlib.exit_on_sigterm()
    db_name = bench_world.provision_database("fuzz")
    loadlib.setup_django()
    web: loadlib.Service | None = None
    started = time.time()
    failures: list[dict[str, Any]] = []
    statuses: Counter[str] = Counter()
    sent = 0
    try:
        import schemathesis
        from hypothesis import HealthCheck, Phase, given, settings
        from schemathesis.checks import not_a_server_error
        from schemathesis.core.failures import FailureGroup
        from schemathesis.specs.openapi.checks import response_schema_conformance

        world = bench_world.build_world(5, fund="5000.00", merchants=1)
        me = world.customers[0]
        web = loadlib.start_gunicorn(workers=2, threads=4)
        base = f"http://127.0.0.1:{web.port}"
        schema = schemathesis.openapi.from_url(f"{base}/api/v1/schema")
        operations = [r.ok() for r in schema.get_all_operations()]
        per_op = max(10, math.ceil(REQUESTS / max(1, len(operations))))
        loadlib.log(f"{len(operations)} operations, up to {per_op} generated requests each (target {REQUESTS})")
        token = {"value": me.token}
        current: dict[str, tuple[str, str]] = {}

        for operation in operations:
            current["key"] = key = (operation.method.upper(), operation.path)

            @given(case=operation.as_strategy())
            @settings(
                max_examples=per_op,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                nonlocal sent
                key = current["key"]
                bearer = fresh_token(me.customer_id) if key in SESSION_ENDING else token["value"]
                headers = {"Authorization": f"Bearer {bearer}"}
                if "Idempotency-Key" not in (case.headers or {}):
                    headers["Idempotency-Key"] = f"fuzz-{uuid.uuid4()}"
                try:
                    response = case.call(base_url=base, headers=headers, timeout=30)
                except requests.RequestException as exc:  # e.g. a streamed body cut short by a server error
                    sent += 1
                    statuses["transport error"] += 1
                    failures.append(
                        {
                            "operation": f"{key[0]} {key[1]}",
                            "status": None,
                            "error": f"{type(exc).__name__}: {exc}"[:600],
                            "curl": case.as_curl_command(headers=headers)[:500],
                        }
                    )
                    return
                sent += 1
                statuses[f"{response.status_code // 100}xx"] += 1
                try:
                    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
                except (AssertionError, FailureGroup) as exc:
                    failures.append(
                        {
                            "operation": f"{key[0]} {key[1]}",
                            "status": response.status_code,
                            "error": " ".join(str(exc).split())[:600],
                            "curl": case.as_curl_command(headers=headers)[:500],
                        }
                    )

            run()
            loadlib.log(f"{key[0]} {key[1]}: {sent} requests so far, {len(failures)} failures")
    finally:
        if web is not None:
            web.stop()
        bench_world.drop_database(db_name)
    by_op = Counter(f["operation"] for f in failures)
    summary = {
        "requests": sent,
        "statuses": dict(statuses),
        "failures": len(failures),
        "failing_operations": dict(by_op),
        "elapsed_s": round(time.time() - started),
    }
    loadlib.write_json(
        os.environ.get("FUZZ_OUTPUT", "fuzz-results.json"), {**summary, "failure_samples": _per_operation(failures, 5)}
    )
    print(loadlib.table([{"metric": k, "value": v} for k, v in summary.items()], ["metric", "value"]))
    for failure in failures[:10]:
        print(f"- {failure['operation']} -> {failure['status']}: {failure['error']}\n  {failure['curl']}")
    ok = not failures and sent >= REQUESTS
    if sent < REQUESTS:
        print(f"only {sent} requests were generated (target {REQUESTS})")
    return 0 if ok else 1


def _per_operation(failures: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` samples per operation, so one noisy operation does not hide the others."""
    seen: Counter[str] = Counter()
    out = []
    for failure in failures:
        seen[failure["operation"]] += 1
        if seen[failure["operation"]] <= limit:
            out.append(failure)
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
