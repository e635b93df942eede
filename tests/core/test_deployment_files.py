"""docker-compose.yml and the Dockerfile describe production: check what they promise."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_has_the_production_services_with_their_commands() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert services["web"]["command"][1] == "wallet_site.wsgi"
    assert services["worker"]["command"][:4] == ["celery", "-A", "wallet_site", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "wallet_site", "beat"]
    assert "DatabaseScheduler" in " ".join(services["beat"]["command"])


def test_compose_takes_secrets_from_the_environment_only() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["services"]["web"]["environment"]

    for secret in ("SECRET_KEY", "PII_ENCRYPTION_KEYS", "PII_BLIND_INDEX_KEY", "METRICS_TOKEN"):
        assert environment[secret].startswith("${") and ":?" in environment[secret], secret
    assert environment["DJANGO_ENV"] == "production"
    assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]


def test_dockerfile_runs_gunicorn_as_an_unprivileged_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "FROM python:3.11" in dockerfile
    assert "USER tongbao" in dockerfile
    assert '"gunicorn", "wallet_site.wsgi"' in dockerfile
