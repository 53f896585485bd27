# Two commands for a newcomer: `make build` (the archive) and `make test` (the suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test check system clean

build: $(BIN)/decisions system
	$(BIN)/decisions build

test: $(BIN)/decisions system
	$(BIN)/python -m pytest -q

check: $(BIN)/decisions
	$(BIN)/decisions check

system:
	@sh tools/system-packages.sh

$(BIN)/decisions: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

clean:
	rm -rf build $(VENV)
