"""docker-compose.yml and the Dockerfile describe production: check what they promise."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_has_the_production_services_with_their_commands() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["web"]["command"] == ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wallet_site.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "wallet_site", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "wallet_site", "beat"]
    assert "DatabaseScheduler" in " ".join(services["beat"]["command"])


def test_compose_takes_secrets_from_the_environment_only() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["services"]["web"]["environment"]

    for secret in ("SECRET_KEY", "PII_ENCRYPTION_KEYS", "PII_BLIND_INDEX_KEY", "METRICS_TOKEN"):
        assert environment[secret].startswith("${") and ":?" in environment[secret], secret
    assert environment["DJANGO_ENV"] == "production"
    assert "${DB_APP_PASSWORD:?" in environment["DATABASE_URL"]
    assert environment["LEDGER_ANCHOR_KEY"].startswith("${LEDGER_ANCHOR_KEY:?")


def test_compose_migrates_as_the_owner_and_runs_the_application_as_a_role_that_owns_nothing() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    migrate = services["migrate"]["environment"]
    assert migrate["DATABASE_OWNER_URL"].startswith("postgres://tongbao_owner:${DB_OWNER_PASSWORD:?")
    assert migrate["DATABASE_URL"].startswith("postgres://tongbao_app:")  # the role it grants to
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://tongbao_app:"), name
        assert "DATABASE_OWNER_URL" not in environment, name
        assert "MIGRATE_DATABASE_URL" not in environment, name
    init = (ROOT / "deploy" / "postgres" / "10-roles.sh").read_text()
    assert "./deploy/postgres/10-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro" in services["postgres"]["volumes"]
    assert "CREATE ROLE tongbao_app LOGIN NOINHERIT" in init
    assert "ALTER DATABASE tongbao OWNER TO tongbao_owner" in init
    assert "transaction_timeout" in init
    assert "anchors:/var/lib/tongbao/ledger-anchors" in services["worker"]["volumes"]


def test_dockerfile_runs_gunicorn_as_an_unprivileged_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "FROM python:3.11" in dockerfile
    assert "USER tongbao" in dockerfile
    assert 'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wallet_site.wsgi"]' in dockerfile  # as deployed


def test_only_the_reverse_proxy_is_published_and_django_trusts_exactly_it() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}

    assert published == {"proxy"}
    assert services["proxy"]["image"].startswith("nginx:")
    assert "web" in services["proxy"]["depends_on"]
    assert services["web"]["expose"] == ["8000"]
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["environment"]["TRUSTED_PROXY_COUNT"] == "1", name
    mounted = {volume.split(":")[1] for volume in services["proxy"]["volumes"]}
    assert {"/etc/nginx/nginx.conf", "/etc/nginx/tongbao_proxy.conf"} <= mounted


def test_the_proxy_replaces_x_forwarded_for_so_clients_cannot_fake_it() -> None:
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    headers = (ROOT / "deploy" / "tongbao_proxy.conf").read_text()
    directives = [line.split("#")[0].strip() for line in (nginx + headers).splitlines()]

    assert "proxy_set_header X-Forwarded-For $remote_addr;" in directives
    assert not any("$proxy_add_x_forwarded_for" in line or "$http_x_forwarded_for" in line for line in directives)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in directives
    assert "server web:8000;" in nginx
    assert "include /etc/nginx/tongbao_proxy.conf;" in nginx


def test_the_image_ships_the_statement_cjk_font() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "fonts-wqy-microhei" in dockerfile
