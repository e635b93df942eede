"""`make audit`: a vulnerability service that could not be asked is a failure, never "no known vulnerabilities"."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tools import audit

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_skipped_is_an_incomplete_audit_not_a_clean_one() -> None:
    report = {
        "dependencies": [
            {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.19)"},
            {"name": "celery", "skip_reason": "Dependency not found on PyPI and could not be audited: celery (5.7.0)"},
        ]
    }

    code, lines = audit.audit_report_verdict(report)

    assert code == 2
    assert "AUDIT INCOMPLETE: 2 of 2 packages could not be audited" in lines[0]
    assert not any("No known vulnerabilities" in line for line in lines)


def test_one_skipped_package_among_clean_ones_still_fails() -> None:
    report = {"dependencies": [{"name": "a", "version": "1", "vulns": []}, {"name": "b", "skip_reason": "x"}]}

    assert audit.audit_report_verdict(report)[0] == 2


def test_a_known_vulnerability_fails_and_names_the_fix() -> None:
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.1"]}]},
        ]
    }

    code, lines = audit.audit_report_verdict(report)

    assert code == 1 and lines == ["VULNERABLE django 5.2.0: PYSEC-1 (fixed in 5.2.1)"]


def test_only_a_complete_audit_without_findings_passes() -> None:
    report = {"dependencies": [{"name": "a", "version": "1", "vulns": []}, {"name": "b", "version": "2", "vulns": []}]}

    assert audit.audit_report_verdict(report) == (0, ["No known vulnerabilities in 2 pinned packages."])
    assert audit.audit_report_verdict({"dependencies": []})[0] == 2


def test_pip_audit_crashing_on_an_unreachable_service_fails_the_target(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    def unreachable(command, **kwargs):  # type: ignore[no-untyped-def]
        return subprocess.CompletedProcess(command, 1, stdout="", stderr="ConnectionError: api.osv.dev\n")

    monkeypatch.setattr(audit.subprocess, "run", unreachable)

    code = audit.main(["requirements.txt", "--service", "osv"])

    assert code == 2
    assert "AUDIT FAILED: pip-audit exited 1 without a report: ConnectionError: api.osv.dev" in capsys.readouterr().out


def test_make_audit_exists_and_is_not_part_of_check() -> None:
    makefile = (ROOT / "Makefile").read_text()
    check = makefile.split("\ncheck:", 1)[1].split("\n\n", 1)[0]

    assert "\naudit: venv\n\t$(BIN)/python -m tools.audit" in makefile
    assert "audit" not in check
