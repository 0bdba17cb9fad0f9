# copier-saas: develop the template. Every target installs what it needs (uv via pip).
.DEFAULT_GOAL := help
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
DEMO ?= demo

.PHONY: help install test test-fast demo docs bench

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: ## create .venv with copier, pytest, ruff, mypy
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --quiet

test: install ## the whole suite: every combination rendered and checked deep
	$(UV) run ruff format --check .
	$(UV) run ruff check .
	$(UV) run mypy
	$(UV) run pytest -n auto --dist worksteal --durations=5 $(ARGS)

test-fast: install ## everything but the 48 deep renders, the update scenarios and the API clients
	$(UV) run pytest -n auto -m "not matrix and not update and not clients" $(ARGS)

demo: install ## render the default combination into ./demo and start it on http://127.0.0.1:8000
	rm -rf $(DEMO)
	$(UV) run copier copy --trust --defaults --vcs-ref HEAD . $(DEMO)
	$(MAKE) -C $(DEMO) dev

docs: install ## serve the documentation site on http://127.0.0.1:8001
	NO_MKDOCS_2_WARNING=1 $(UV) run mkdocs serve --dev-addr 127.0.0.1:8001

bench: install ## the speed figures (render, matrix, app under load, import), each against its baseline
	$(UV) run python benchmarks/run.py
