"""An account the broker adds while riskd runs is guarded without restarting market
(fresh-user trial17a section 5: after `config set broker.sim.accounts` with a third account and
the `riskctl restart simbroker` riskctl advised, `sim info` listed SIM-DEMO-3 but `rules list
1003` said "nor does the broker report it" and `accounts list` did not list it, 15 s on: only
`riskctl restart market` made riskd guard it). Market asks the broker for its accounts at every
reconnect's reconcile and every ACCOUNTS_EVERY (services/market/app.py).

A real riskd (supervisor, sim broker, market, risk) on the shipped rules (etc/riskd.toml), one
account configured (Demo 1, 1001) as tests/support/auth.admin_riskd starts it; the sim's
accounts edited with `riskctl config set`, as the trial did."""
from __future__ import annotations

import time

import pytest

from shared.config import load_config
from shared.messages.notify import NotifyEvent
from tests.support.auth import admin_riskd
from tests.support.bustap import Bus
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed


def test_a_sim_account_added_and_simbroker_restarted_is_guarded_without_restarting_market(
        procs, tmp_path, monkeypatch):
    config = admin_riskd(procs, tmp_path, monkeypatch)
    # the phone's word of it: market's alert on its PUB (trial17g: only the log said it)
    tap = Bus(load_config(config).config.bus.market_pub, prefixes=("notify",))
    time.sleep(0.3)                         # the tap's subscription reaches market
    try:
        told = adopted(procs, config, tap)
    finally:
        tap.close()
    assert [(m.title, m.account_id) for m in told] == [
        ("🛡 riskd now guards SIM-DEMO-3 (id 1003): the broker added it while riskd runs", 1003)]
    assert told[0].lines[1].startswith("the config does not list it: it runs the rules of the "
                                       "default profile"), told[0].lines
    # a rule of its own needs it in the config first: the refusal says it is guarded, on the
    # default profile, and names `accounts add` (trial17a section 9: "no profile or account
    # named '1003'; ... accounts: Demo 1 (id 1001)", while `rules list 1003` showed its rules)
    own = procs.riskctl(config, "rules", "set", "1003", "max_contracts", "limit", "2")
    words = " ".join((own.stdout + own.stderr).split())
    assert own.returncode == 1, words
    assert "SIM-DEMO-3 (id 1003) is guarded (the broker reports it) but not in the config: it " \
           "runs the rules of the default profile" in words, words
    assert "`riskctl accounts add 1003`" in words, words


def adopted(procs, config: str, tap: Bus) -> list:
    """The trial's steps: the sim gets 1003, simbroker restarts, risk guards 1003; the
    account_guarded alerts market published meanwhile."""
    edited = procs.riskctl(config, "config", "set", "broker.sim.accounts",
                           '[{id = 1001, name = "SIM-DEMO-1"}, {id = 1003, name = "SIM-DEMO-3"}]',
                           "--reason", "a third account")
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert "restart simbroker" in edited.stdout, edited.stdout
    restarted = procs.riskctl(config, "restart", "simbroker", "--reason", "new account")
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr

    def guarded() -> bool:
        out = procs.riskctl(config, "rules", "list", "1003")
        return out.returncode == 0 and "runs the rules of the default profile" in out.stdout
    # the hubs reconnect to the restarted sim (backoff from 1 s, doubling while it starts: on a
    # loaded machine past 30 s) and its reconcile lists 1003; else market's search every 60 s
    wait_for(guarded, 90, what="risk to guard the sim's new account 1003")
    listed = procs.riskctl(config, "accounts", "list")
    assert "1003" in listed.stdout, listed.stdout
    tap.pump(1.0)
    return [m for m in tap.of(NotifyEvent) if m.kind == "account_guarded"]
