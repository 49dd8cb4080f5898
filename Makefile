# riskd: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
endif

.PHONY: install run test bench chaos clean install-service

# install / run / test are dev.py's, the same two steps Windows users run without make
# (py -3.11 dev.py run | test): .venv is (re)installed when setup.cfg or pyproject.toml changes.
install:
	$(PYTHON) dev.py install

run:
	$(PYTHON) dev.py run

test:
	$(PYTHON) dev.py test

# make bench CHECK=1: exit 1 when a row misses the goal written beside it
bench: install
	$(BIN)/python -m tests.bench $(if $(CHECK),--check)

# The long reliability run: RUNS=3 for three in a row (its short form, tests/chaos, is part of
# make test).
RUNS ?= 1
# It also explores broker event orders long: the model test of issue 14 and the burst test of
# riskd's closes, with many examples.
MODEL_EXAMPLES ?= 2000
chaos: install
	RISKD_HYPOTHESIS_EXAMPLES=$(MODEL_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider \
		-o timeout=3600 tests/unit/risk/test_event_order_model.py \
		tests/unit/risk/test_riskd_closes_in_a_burst.py
	$(BIN)/python -m tests.chaos --runs $(RUNS)

clean:
	rm -rf $(VENV) var *.egg-info

# Linux service (run as root: sudo make install-service). Installs etc/riskd.service for this
# checkout: system user riskd, config /etc/riskd/riskd.toml (seeded once, data_dir
# /var/lib/riskd), the unit with @REPO@ = this folder, then enable --now. Every step is echoed.
UNIT_DIR ?= /etc/systemd/system
install-service:
	@test -x $(BIN)/riskd || { echo "no $(BIN)/riskd: run 'make install' first (as your user)"; exit 1; }
	id -u riskd >/dev/null 2>&1 || useradd --system --home-dir /var/lib/riskd --shell /usr/sbin/nologin riskd
	install -d -o riskd -g riskd -m 0750 /etc/riskd
	test -f /etc/riskd/riskd.toml || { sed 's|^data_dir = .*|data_dir = "/var/lib/riskd"|' etc/riskd.toml > /etc/riskd/riskd.toml && chown riskd:riskd /etc/riskd/riskd.toml && chmod 0640 /etc/riskd/riskd.toml; }
	sed 's|@REPO@|$(CURDIR)|g' etc/riskd.service > $(UNIT_DIR)/riskd.service
	systemctl daemon-reload
	systemctl enable --now riskd
	systemctl --no-pager --lines=5 status riskd
