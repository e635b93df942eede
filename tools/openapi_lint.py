"""The OpenAPI document: generate it, lint it, and generate the typed Python client from it (issue 16).

    python -m tools.openapi_lint                      # lint the schema the code generates now
    python -m tools.openapi_lint --generate-client    # write clients/python/openapi.yaml and the client
    python -m tools.openapi_lint --client-up-to-date  # lint, and fail if the committed client is stale

Run inside the dev stack (``make check`` / ``make client``): Django's settings need a database URL,
though generating the schema reads no database.

The lint: ``openapi-spec-validator`` (a valid OpenAPI 3 document), then our rules for what an app
developer needs from every operation:

- an ``operationId``, a ``summary``, exactly one tag that the document declares;
- a request example when it takes a body, and a success example;
- ``x-error-codes`` (from ``core.api_docs.api_operation``): every code has a status and a meaning, every
  documented error status is a response with one example per code, every error response is listed;
- paths have no trailing slash;
- a list (a 200 whose body is an array) is refused: lists answer a page (``results``, ``next_cursor``...)
  and take ``cursor`` and ``page_size``;
- an operation that takes ``Idempotency-Key`` (it moves money) states its limits and asks for ``pin``;
- the document's description is the getting-started page (docs/api.md) with the journey's steps.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CLIENT_DIR = ROOT / "clients" / "python"
SCHEMA_FILE = CLIENT_DIR / "openapi.yaml"
PACKAGE = "tongbao_client"
METHODS = ("get", "post", "put", "patch", "delete")
PAGE_FIELDS = {"results", "next_cursor", "previous_cursor", "next", "previous"}
JOURNEY_STEPS = (
    "consent-texts",
    "auth/otp",
    "DEV SMS",
    "auth/register",
    "terms_version",
    "me/kyc",
    "me/pin",
    "/cards",
    "gw_tok_",
    "/topups",
    "/payments/preview",
    "/payments",
    "/transactions",
    "Idempotency-Key",
    "step-up",
    "Accept-Language",
)


def schema_text() -> str:
    """The document as ``manage.py spectacular --lang en`` writes it (English, deterministic)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wallet_site.settings")
    django.setup()
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "openapi.yaml"
        call_command("spectacular", "--lang", "en", "--file", str(out), "--fail-on-warn")
        return out.read_text(encoding="utf-8")


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _json_schema(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any] | None:
    content = response.get("content", {}).get("application/json")
    return _resolve(document, content.get("schema")) if content else None


def _has_example(body: dict[str, Any]) -> bool:
    return any(media.get("examples") or "example" in media for media in body.get("content", {}).values())


def operation_problems(document: dict[str, Any], path: str, method: str, op: dict[str, Any]) -> list[str]:
    where = f"{method.upper()} {path}"
    problems: list[str] = []
    declared = {tag["name"] for tag in document.get("tags", [])}
    if not op.get("operationId"):
        problems.append(f"{where}: no operationId")
    if not op.get("summary"):
        problems.append(f"{where}: no summary")
    tags = op.get("tags", [])
    if len(tags) != 1 or tags[0] not in declared:
        problems.append(f"{where}: needs exactly one declared tag, has {tags}")
    if "requestBody" in op and not _has_example(op["requestBody"]):
        problems.append(f"{where}: request body without an example")
    responses = op.get("responses", {})
    success = [s for s in responses if s.startswith("2")]
    if not success:
        problems.append(f"{where}: no success response")
    for status in success:
        if status != "204" and not _has_example(responses[status]):
            problems.append(f"{where}: {status} response without an example")
    codes = op.get("x-error-codes")
    if not codes:
        problems.append(f"{where}: no x-error-codes (document it with core.api_docs.api_operation)")
        codes = []
    listed_statuses = set()
    for entry in codes:
        if not entry.get("code") or not entry.get("meaning") or not isinstance(entry.get("status"), int):
            problems.append(f"{where}: error code entry without code, status or meaning: {entry}")
            continue
        status = str(entry["status"])
        listed_statuses.add(status)
        examples = responses.get(status, {}).get("content", {}).get("application/json", {}).get("examples", {})
        if not any(example.get("value", {}).get("code") == entry["code"] for example in examples.values()):
            problems.append(f"{where}: error code {entry['code']} has no example in its {status} response")
    for status in responses:
        if status[0] in "45" and status not in listed_statuses:
            problems.append(f"{where}: {status} response lists no error code")
    if path.endswith("/"):
        problems.append(f"{where}: path ends with a slash")
    if method == "get" and "200" in responses:
        body = _json_schema(document, responses["200"])
        if body is not None and body.get("type") == "array":
            problems.append(f"{where}: a list answers a page, not a bare array (core.pagination)")
        if body is not None and set(body.get("properties", {})) >= PAGE_FIELDS:
            names = {p.get("name") for p in op.get("parameters", [])}
            if not {"cursor", "page_size"} <= names:
                problems.append(f"{where}: a page without the cursor and page_size parameters")
    headers = {p.get("name") for p in op.get("parameters", []) if p.get("in") == "header"}
    if "Idempotency-Key" in headers:
        description = op.get("description", "")
        if "**Limits.**" not in description:
            problems.append(f"{where}: moves money but does not state its limits")
        request = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        properties = _resolve(document, request.get("schema", {})).get("properties", {})
        if "pin" not in properties:
            problems.append(f"{where}: moves money without asking for the payment PIN")
    return problems


def lint(text: str) -> list[str]:
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    try:
        spec, _url = read_from_filename(handle.name)
        validate(spec)
    finally:
        os.unlink(handle.name)
    document = yaml.safe_load(text)
    problems: list[str] = []
    description = document.get("info", {}).get("description", "")
    problems += [
        f"info.description (getting started) does not mention {step!r}"
        for step in JOURNEY_STEPS
        if step not in description
    ]
    operations = 0
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                operations += 1
                problems += operation_problems(document, path, method, item[method])
    if operations < 40:
        problems.append(f"only {operations} operations: is the URL conf loaded?")
    return problems


def generate_client(text: str, into: Path) -> None:
    """``openapi-python-client`` (pinned in requirements-dev.txt) writes ``into``/tongbao_client."""
    into.mkdir(parents=True, exist_ok=True)
    schema = into / "openapi.yaml"
    schema.write_text(text, encoding="utf-8")
    shutil.copy(CLIENT_DIR / "config.yaml", into / "config.yaml")
    command = [
        str(Path(sys.executable).with_name("openapi-python-client")),
        "generate",
        "--path",
        "openapi.yaml",
        "--config",
        "config.yaml",
        "--meta",
        "none",
        "--output-path",
        PACKAGE,
        "--overwrite",
    ]
    result = subprocess.run(command, cwd=into, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0 or not (into / PACKAGE / "client.py").exists():
        raise SystemExit(f"openapi-python-client failed:\n{result.stdout}\n{result.stderr}")


def _differences(left: Path, right: Path) -> list[str]:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__", ".ruff_cache"])
    found = [f"{left.name}/{n}" for n in comparison.left_only + comparison.right_only + comparison.diff_files]
    for name in comparison.subdirs:
        found += [f"{left.name}/{d}" for d in _differences(left / name, right / name)]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generate-client", action="store_true", help="write the schema and the client")
    parser.add_argument("--client-up-to-date", action="store_true", help="fail when the committed client is stale")
    args = parser.parse_args()

    text = schema_text()
    problems = lint(text)
    for problem in problems:
        print(f"openapi lint: {problem}")
    if problems:
        print(f"openapi lint: {len(problems)} problem(s)")
        return 1
    print("openapi lint: the schema is valid OpenAPI 3 and every operation is documented")
    if args.generate_client:
        with tempfile.TemporaryDirectory() as tmp:
            generate_client(text, Path(tmp))
            shutil.rmtree(CLIENT_DIR / PACKAGE, ignore_errors=True)
            shutil.copytree(
                Path(tmp) / PACKAGE, CLIENT_DIR / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache")
            )
        SCHEMA_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA_FILE.relative_to(ROOT)} and {(CLIENT_DIR / PACKAGE).relative_to(ROOT)}")
    if args.client_up_to_date:
        stale = []
        if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text(encoding="utf-8") != text:
            stale.append(str(SCHEMA_FILE.relative_to(ROOT)))
        with tempfile.TemporaryDirectory() as tmp:
            generate_client(text, Path(tmp))
            stale += _differences(Path(tmp) / PACKAGE, CLIENT_DIR / PACKAGE)
        if stale:
            print("the committed client is stale; run `make client` and commit:\n  " + "\n  ".join(stale))
            return 1
        print("the committed client matches the schema")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
