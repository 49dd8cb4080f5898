"""A rule edit that riskd would act on at once asks first (fresh-user trial: a typo in `riskctl
rules set 1001 drawdown_guard line ...` flattened the account and locked it out with no
question). A real riskd (supervisor, sim broker, market, risk, enforcement) on the shipped
rules (etc/riskd.toml: drawdown_guard on, starting_balance 50,000); only the sim's tick is off
so the price, and the account's equity, stay put. The account holds 1 MNQ; the admin sets a
max-loss line whose buffer the equity is inside: riskctl without a terminal refuses, names the
account, the rule and what riskd would do, and nothing happens (no flatten, no lockout, the
file unchanged); with --yes riskd applies it and acts."""
from __future__ import annotations

import re
import time

import pytest

from tests.support.auth import admin_riskd
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

GUARDS = ["simbroker", "market", "risk", "enforcement"]
LINE = "49950"      # equity 50,000 is inside line + buffer (100): riskd flattens, locks out


@pytest.fixture
def riskd_holding(procs, tmp_path, monkeypatch):
    config = admin_riskd(procs, tmp_path, monkeypatch, workers=["logging", *GUARDS])
    bought = procs.riskctl(config, "sim", "buy", "MNQ", "1", "--account", "1001")
    assert bought.returncode == 0, bought.stderr
    wait_for(lambda: '"current": "1 / 5"' in procs.riskctl(config, "rules", "list", "--json")
             .stdout.replace(".00", ""), 20, what="risk to see the 1 MNQ")
    return config


def test_a_line_the_account_is_past_asks_first_then_acts_with_yes(procs, riskd_holding):
    config = riskd_holding
    with open(config) as fh:
        before = fh.read()
    out = procs.riskctl(config, "rules", "set", "1001", "drawdown_guard", "line", LINE)
    assert out.returncode == 1, out.stdout
    said = " ".join(out.stderr.split())
    assert "Demo 1 (id 1001) drawdown_guard.line: not saved: riskd would act on it at once on " \
           "1 account" in said, out.stderr
    assert re.search(r"Demo 1 \(id 1001\): drawdown_guard line 49,950\.00; now equity "
                     r"49,9\d\d\.\d\d is \d+\.\d\d above the firm's max-loss line "
                     r"49,950\.00", said), out.stderr
    assert "riskd would flatten (close 1 position) and lock the account " \
           "until the roll at" in said, out.stderr
    assert "Re-run with --yes to apply it anyway." in said, out.stderr
    time.sleep(1.0)          # anything riskd did would show by now
    with open(config) as fh:
        assert fh.read() == before                          # not saved
    history = procs.riskctl(config, "history").stdout
    assert "flatten" not in history and "locked" not in history, history   # only the mark's note
    assert "1001" not in procs.riskctl(config, "lockouts", "--json").stdout.replace(
        '"lockouts": []', "")
    assert '"current": "1 / 5"' in procs.riskctl(config, "rules", "list", "--json") \
        .stdout.replace(".00", "")                           # still holds its MNQ
    refused = " ".join(procs.riskctl(config, "audit", "show", "-n", "1").stdout.split())
    assert "refused: no terminal to ask the admin at, and no --yes: Demo 1 (id 1001) " \
           "drawdown_guard.line: not saved: riskd would act on it at once" in refused, refused

    done = procs.riskctl(config, "rules", "set", "1001", "drawdown_guard", "line", LINE,
                         "--yes", "--reason", "the firm's line")
    assert done.returncode == 0, done.stderr
    words = " ".join(done.stdout.split())
    assert "acted at once on Demo 1 (id 1001): flatten" in words, done.stdout
    assert "confirmed by the admin: applied although riskd acts on it at once on Demo 1 " \
           "(id 1001)" in words, done.stdout
    wait_for(lambda: "drawdown_guard" in procs.riskctl(config, "lockouts").stdout, 20,
             what="the drawdown_guard lockout")
    audit = " ".join(procs.riskctl(config, "audit", "show", "-n", "1").stdout.split())
    assert "confirmed by the admin with --yes: applied although" in audit, audit


def test_a_loosening_applies_with_no_question(procs, riskd_holding):
    config = riskd_holding
    out = procs.riskctl(config, "rules", "set", "1001", "max_contracts", "limit", "4")
    assert out.returncode == 0, out.stderr             # tighter, but 1 of 4 breaks nothing
    assert "applied live on Demo 1 (id 1001)" in out.stdout, out.stdout
    looser = procs.riskctl(config, "rules", "set", "1001", "max_contracts", "limit", "6")
    assert looser.returncode == 0, looser.stderr
    assert "until the roll" in looser.stdout, looser.stdout


def test_blocking_a_symbol_held_asks_first_one_not_held_locks_it_and_says_so(procs,
                                                                              riskd_holding):
    """Trial17g section 6: `rules set 1001 symbol_blocks symbols '["CL"]'` asked nothing. With
    nothing held in the symbol nothing is closed: the edit applies with no question and its
    answer says the symbol is locked now (docs/rules.md, 11.); with the symbol held (1 MNQ
    here) riskd would close it, so the edit asks first, like any edit that acts at once."""
    config = riskd_holding
    with open(config) as fh:
        before = fh.read()
    held = procs.riskctl(config, "rules", "set", "1001", "symbol_blocks", "symbols", '["MNQ"]')
    assert held.returncode == 1, held.stdout
    said = " ".join(held.stderr.split())
    assert "not saved: riskd would act on it at once on 1 account" in said, held.stderr
    assert "riskd would close the MNQ position and lock MNQ on the " \
           "account while MNQ is listed in symbol_blocks" in said, held.stderr
    with open(config) as fh:
        assert fh.read() == before                          # not saved
    free = procs.riskctl(config, "rules", "set", "1001", "symbol_blocks", "symbols", '["CL"]',
                         "--reason", "no crude")
    assert free.returncode == 0, free.stderr
    words = " ".join(free.stdout.split())
    assert "acted at once on Demo 1 (id 1001): CL is locked now, while CL is listed in " \
           "symbol_blocks" in words, free.stdout
    assert "nothing is held in CL" in words, free.stdout
