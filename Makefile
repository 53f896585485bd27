# Two commands for a newcomer: `make build` (the archive) and `make test` (the suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test check system system-test clean

build: $(BIN)/decisions system
	$(BIN)/decisions build
	$(BIN)/decisions publish

test: $(BIN)/decisions system-test tests/accessibility/node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -q

check: $(BIN)/decisions
	$(BIN)/decisions check

system:
	@sh tools/system-packages.sh

system-test:
	@sh tools/system-packages.sh test

tests/accessibility/node_modules/axe-core/axe.min.js: tests/accessibility/package-lock.json
	cd tests/accessibility && npm ci --silent --no-audit --no-fund
	@touch $@

$(BIN)/decisions: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

clean:
	rm -rf build $(VENV)
