# riskd: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
endif

.PHONY: install run test bench chaos clean install-service

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

run: install
	$(BIN)/riskd --config etc/riskd.toml

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) var *.egg-info
