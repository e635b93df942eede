"""``make audit``: pip-audit over the pinned requirements, failing loudly when it could not really look.

pip-audit prints "No known vulnerabilities found" and exits 0 even when it audited nothing: when
the vulnerability service cannot be reached (PyPI's JSON API answering "not found" for every
package, or OSV's host not resolving), each package is merely *skipped*. This wrapper reads its
JSON report and refuses that: any skipped package, or pip-audit itself failing, is an error (exit
2) that says the audit is incomplete; a known vulnerability is exit 1; only a complete audit with
no finding is exit 0. Not part of ``make check``/CI: it needs the network.

Usage: python -m tools.audit [--service pypi|osv] [requirements files...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = ("requirements.txt", "requirements-dev.txt")


def audit_report_verdict(report: dict[str, object]) -> tuple[int, list[str]]:
    """(exit code, lines to print) for one pip-audit JSON report."""
    dependencies = report.get("dependencies")
    if not isinstance(dependencies, list) or not dependencies:
        return 2, ["AUDIT INCOMPLETE: pip-audit reported no dependency at all."]
    skipped = [d for d in dependencies if isinstance(d, dict) and d.get("skip_reason")]
    vulnerable = [d for d in dependencies if isinstance(d, dict) and d.get("vulns")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            lines.append(f"VULNERABLE {dep['name']} {dep.get('version', '?')}: {vuln.get('id')} (fixed in {fixes})")
    if skipped:
        lines.append(
            f"AUDIT INCOMPLETE: {len(skipped)} of {len(dependencies)} packages could not be audited "
            "(vulnerability service unreachable or incomplete). This is NOT a clean result."
        )
        lines += [f"  skipped {d['name']}: {d['skip_reason']}" for d in skipped[:10]]
        if len(skipped) > 10:
            lines.append(f"  ... and {len(skipped) - 10} more")
        return 2, lines
    if vulnerable:
        return 1, lines
    return 0, [f"No known vulnerabilities in {len(dependencies)} pinned packages."]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=list(DEFAULT_FILES))
    parser.add_argument("--service", default="pypi", choices=("pypi", "osv"))
    args = parser.parse_args(argv)
    worst = 0
    for name in args.files:
        command = [sys.executable, "-m", "pip_audit", "--requirement", str(ROOT / name), "--disable-pip"]
        command += ["--no-deps", "--progress-spinner", "off", "--format", "json", "--vulnerability-service"]
        command += [args.service, "--timeout", "30"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        try:
            report = json.loads(result.stdout)
        except json.JSONDecodeError:
            last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
            print(f"{name}: AUDIT FAILED: pip-audit exited {result.returncode} without a report: {last}")
            worst = max(worst, 2)
            continue
        code, lines = audit_report_verdict(report)
        for line in lines:
            print(f"{name}: {line}")
        worst = max(worst, code)
    return worst


if __name__ == "__main__":
    sys.exit(main())
