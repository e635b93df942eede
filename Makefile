# The README's two commands are `make run` and `make test`. Everything they need they set up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt 2>/dev/null | sha1sum | cut -c1-12)
STACK := $(BIN)/python tools/devstack.py
PYTEST_ARGS ?=

.PHONY: run soak test check bench drill fuzz venv lock messages totp shell clean-data browser audit client

venv: $(STAMP)
$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

## Run the product: embedded PostgreSQL + Redis, migrations, demo data, web + worker + events + relay + beat.
run: venv
	$(STACK) run

## `make run` under load: 50 clients for 5 minutes (SOAK_SECONDS, SOAK_CLIENTS), its own stack in .data/soak;
## fails on any 5xx or more database connections than the pool bound (tools/soak.py).
soak: venv
	$(BIN)/python -m tools.soak

## Debian's chromium and the CJK font statements embed and screenshots need (fonts-wqy-microhei) for tests/browser: installed with apt
## when missing and we are root; otherwise the browser tests skip and say why.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -q chromium fonts-wqy-microhei || (apt-get update -q && apt-get install -y -q chromium fonts-wqy-microhei)) >/dev/null \
	      || echo "*** apt-get could not install chromium: browser tests will be skipped ***"; \
	  else echo "*** /usr/bin/chromium missing and not root: browser tests will be skipped ***"; fi; \
	fi

## Run the whole test suite on real PostgreSQL and Redis.
test: venv browser
	DJANGO_ENV=test $(STACK) exec -- $(BIN)/python -m pytest $(PYTEST_ARGS)

## Lint, format, types, migrations; the OpenAPI document (openapi-spec-validator plus our rules:
## tools/openapi_lint.py) and the committed client generated from it are up to date (make client).
check: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_ENV=test $(STACK) exec -- sh -c '$(BIN)/mypy && $(BIN)/python manage.py makemigrations --check --dry-run && PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m tools.openapi_lint --client-up-to-date'

## The OpenAPI document (clients/python/openapi.yaml) and the typed Python client generated from it with
## openapi-python-client (clients/python/tongbao_client), both committed; `make check` fails when stale.
client: venv
	DJANGO_ENV=test $(STACK) exec -- sh -c 'PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m tools.openapi_lint --generate-client'

## Known vulnerabilities in the pinned requirements (pip-audit; needs the network, not part of check/CI).
## Fails (exit 2) when the vulnerability service cannot be reached: "skipped" is never "clean".
audit: venv
	$(BIN)/python -m tools.audit

## The embedded PostgreSQL keeps commit timestamps for the bench: the events scenario times from the
## payment's commit (tools/bench_events.py commit_instants), not from before its statement ran.
bench: venv
	DEVSTACK_PG_OPTIONS="-c track_commit_timestamp=on $(DEVSTACK_PG_OPTIONS)" DJANGO_ENV=test $(STACK) exec -- $(BIN)/python -m tools.bench $(BENCH_ARGS)

## DRILL_MODULES: drills of later work (tools/drill_*.py), e.g. reward-kill (`make drill DRILL_ARGS=reward-kill`).
DRILL_MODULES ?= tools.drill_rewards
drill: venv
	DRILL_MODULES=$(DRILL_MODULES) DJANGO_ENV=test $(STACK) exec -- $(BIN)/python -m tools.drill $(DRILL_ARGS)

fuzz: venv
	DJANGO_ENV=test $(STACK) exec -- $(BIN)/python -m tools.fuzz

## Print the demo admin's current TOTP code (for a demo without an authenticator app).
totp: venv
	DJANGO_ENV=development $(STACK) exec -- $(BIN)/python manage.py demo_totp

## Re-extract and compile translations (needs GNU gettext).
messages: venv
	DJANGO_ENV=test $(STACK) exec -- sh -c '$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=.data && $(BIN)/python manage.py compilemessages --ignore=.venv'

## Regenerate the pinned requirements from requirements*.in.
lock:
	$(BIN)/python -m pip freeze --exclude-editable > /tmp/tongbao-freeze.txt
	@echo "review /tmp/tongbao-freeze.txt, then split it into requirements.txt / requirements-dev.txt"

clean-data:
	$(STACK) down || true
	rm -rf .data
