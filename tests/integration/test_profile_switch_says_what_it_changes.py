"""A profile switch says what it changes and asks first when it loosens; a new profile's
edit says it is created and that no account runs it (fresh-user trial 15b, finding 4:
`accounts set 1001 profile eval` answered "saved (applied live)" while it scheduled
drawdown_guard OFF and a higher loss limit at the roll; `config set profiles.eval...` said
"applied live on Ana funded (id 1002)", an account that does not run eval; `rules set
profile:eval` was refused "unknown profile" while `config set` created it).

A real riskd (supervisor, sim broker, market, risk) on the shipped rules (etc/riskd.toml:
drawdown_guard on, daily_realized_loss limit 500, max_contracts limit 5); one account."""
from __future__ import annotations

import pytest

from tests.support.auth import admin_riskd

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed



@pytest.fixture
def riskd(procs, tmp_path, monkeypatch):
    config = admin_riskd(procs, tmp_path, monkeypatch)
    return config


def said(out) -> str:
    return " ".join((out.stdout + out.stderr).split())


def test_a_profile_switch_lists_its_changes_warns_of_a_rule_going_off_and_asks(procs, riskd):
    config = riskd
    # a profile the config does not have is refused unless --new-profile (trial17a section 4)
    typo = procs.riskctl(config, "rules", "set", "profile:eval", "max_contracts", "limit", "2")
    assert typo.returncode == 1, said(typo)
    assert "no profile named 'eval'; profiles: default" in said(typo), said(typo)
    first = procs.riskctl(config, "rules", "set", "profile:eval", "max_contracts", "limit", "2",
                          "--new-profile")
    assert first.returncode == 0, said(first)
    assert "profile eval created: each rule it does not set runs its default" in said(first)
    assert "no account runs profile eval" in said(first), said(first)
    more = procs.riskctl(config, "config", "set", "profiles.eval.rules.daily_realized_loss.limit",
                         "800")
    assert "no account runs profile eval: `riskctl accounts set ACCOUNT profile eval`" \
        in said(more), said(more)
    assert "applied live" not in said(more), said(more)
    procs.riskctl(config, "config", "set", "profiles.eval.rules.drawdown_guard.enabled",
                  "false")

    with open(config) as fh:
        before = fh.read()
    asked = procs.riskctl(config, "accounts", "set", "1001", "profile", "eval")
    assert asked.returncode == 1, said(asked)
    words = said(asked)
    assert "not saved" in words and "the switch to profile eval loosens rules (they wait for " \
        "the roll); all it changes: " in words, words
    assert "in force now on Demo 1 (id 1001): max_contracts limit 5 -> 2" in words, words
    assert "daily_realized_loss limit 500.00 -> 800.00" in words, words
    assert "WARNING: drawdown_guard goes OFF for Demo 1 (id 1001) at the roll" in words, words
    with open(config) as fh:
        assert fh.read() == before

    done = procs.riskctl(config, "accounts", "set", "1001", "profile", "eval", "--yes")
    assert done.returncode == 0, said(done)
    words = said(done)
    assert "saved" in words and "WARNING: drawdown_guard goes OFF" in words, words
    assert "waits for the roll at" in words and "max_contracts limit 5 -> 2" in words, words
    assert "applied live" not in words, words
