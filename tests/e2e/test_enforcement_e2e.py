"""End to end with every real process (riskd: sim broker, market, risk, enforcement), driven only
through the sim's ProjectX REST API, /sim/* controls and riskd's control socket (what
`riskctl --json` uses): a losing day ends flat and locked, a trade during the lockout is
undone, an oversized position is cut to the limit, alert mode touches nothing, and risk killed
while a flatten is pending loses nothing and doubles nothing.

One riskd for the module; each scenario trades its own sim account.
"""
from __future__ import annotations

import os
import signal
import time
from decimal import Decimal

import pytest

from shared.messages.enforce import EnforcementStatusRequest
from shared.messages.risk import HistoryRequest, LockoutsRequest, RiskStatusRequest
from tests.e2e.harness import CLOSE, MNQ, NO_POSITION, SELL, STOP, SimDesk
from tests.support.env import make_config, wait_for
from tests.support.procs import Procs

pytestmark = pytest.mark.slow

LOSS, ALERT, SIZE, KILLED, LOCKED = 4001, 4002, 4003, 4004, 4005
WORKERS = ["simbroker", "market", "risk", "enforcement"]
BASE_RULES = {
    "daily_realized_loss": {"limit": 30},
    "trade_frequency_limit": {"enabled": False},
    "cooldown_after_loss": {"enabled": False},
    "daily_net_loss": {"enabled": False},
}


class Desk(SimDesk):
    def __init__(self, procs: Procs, config: str):
        super().__init__(config)
        self.procs, self.config = procs, config

    def ask(self, request):
        reply = self.procs.control_call(self.config, request, timeout=5)
        assert reply.ok, reply.reason
        return reply.body

    def lockouts(self, account: int) -> list:
        return self.ask(LockoutsRequest(account=str(account))).lockouts

    def decisions(self, account: int, rule: str) -> list:
        return [d for d in self.ask(HistoryRequest(account=str(account))).decisions
                if d.rule == rule]

    def losing_trade(self, account: int) -> None:
        """Long 2 MNQ at 21000.25, one sold 20 points lower: about -41 USD realized."""
        self.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
        self.buy(account, MNQ, 2)
        self.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 20980})
        self.sell(account, MNQ, 1)

    def quiet(self, timeout: float = 10.0) -> None:
        """Wait until enforcement has nothing queued, running or pending."""
        wait_for(lambda: not self.ask(EnforcementStatusRequest()).commands, timeout,
                 what="enforcement to finish every command")

    def until_flat(self, account: int, timeout: float = 10.0) -> float:
        started = time.monotonic()
        wait_for(lambda: self.flat(account), timeout, interval=0.01,
                 what=f"account {account} flat")
        return time.monotonic() - started


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    procs = Procs(tmp)
    config = make_config(
        tmp, workers=WORKERS,
        supervisor={"workers": WORKERS, "backoff_initial": 0.2},
        broker={"sim": {"tick_interval": 0, "accounts": [
            {"id": a, "name": f"SIM-{a}"} for a in (LOSS, ALERT, SIZE, KILLED, LOCKED)]}},
        profiles={"default": {"rules": BASE_RULES}},
        accounts=[{"id": LOSS, "name": f"SIM-{LOSS}"},
                  {"id": ALERT, "name": f"SIM-{ALERT}",
                   "rules": {"daily_realized_loss": {"mode": "alert"}}},
                  {"id": SIZE, "name": f"SIM-{SIZE}", "rules": {"max_contracts": {"limit": 2}}},
                  {"id": KILLED, "name": f"SIM-{KILLED}"},
                  {"id": LOCKED, "name": f"SIM-{LOCKED}"}])
    try:
        procs.riskd(config)
        procs.wait_running(config, WORKERS, timeout=40)
        d = Desk(procs, config)
        wait_for(lambda: len(d.ask(RiskStatusRequest()).accounts) >= 5, 30,
                 what="risk to know every account (market snapshot)")
        yield d
    finally:
        procs.cleanup()


def test_a_losing_day_ends_flat_with_orders_cancelled_and_locked_until_the_roll(desk):
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    desk.resting_buy(LOSS, MNQ, below=Decimal(400), brackets=True)
    desk.client.place_order(LOSS, MNQ, STOP, SELL, 1, stop_price=Decimal(20900))
    desk.reset_calls()
    desk.losing_trade(LOSS)
    desk.until_flat(LOSS)
    desk.quiet()
    assert desk.succeeded(CLOSE) == 1                        # the one contract left
    [lock] = desk.lockouts(LOSS)
    assert (lock.rule, lock.kind, lock.symbol) == ("daily_realized_loss", "until_reset", None)
    assert lock.until_ns > time.time_ns()


def test_a_buy_during_the_lockout_is_undone_within_a_second(desk):
    desk.losing_trade(LOCKED)                # its own losing day (no other test's lockout)
    desk.until_flat(LOCKED)
    wait_for(lambda: desk.lockouts(LOCKED), 10, what="the lockout of the losing day")
    desk.quiet()
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    desk.buy(LOCKED, MNQ, 1)
    desk.until_flat(LOCKED, timeout=5)       # the 1 s budget is measured by make bench
    desk.resting_buy(LOCKED, MNQ)
    desk.until_flat(LOCKED, timeout=5)       # the new order is cancelled


def test_a_position_above_max_contracts_is_reduced_to_the_limit(desk):
    desk.quiet()
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    desk.reset_calls()
    desk.buy(SIZE, MNQ, 5)
    wait_for(lambda: desk.positions(SIZE) == {MNQ: 2}, 10, interval=0.02,
             what="the position cut from 5 to 2")
    cuts = wait_for(lambda: desk.decisions(SIZE, "max_contracts"), 5, what="the decision")
    assert len(cuts) == 1 and cuts[0].action == "reduce_position" and cuts[0].size == 3
    assert desk.calls("/api/Position/partialCloseContract") == 1
    assert desk.positions(SIZE) == {MNQ: 2}


def test_alert_mode_touches_nothing(desk):
    desk.quiet()
    desk.resting_buy(ALERT, MNQ)
    desk.reset_calls()
    desk.losing_trade(ALERT)
    [d] = wait_for(lambda: desk.decisions(ALERT, "daily_realized_loss"), 10,
                   what="the alert-mode decision")
    assert d.mode == "alert" and d.action == "flatten"

    def skipped():
        states = desk.ask(EnforcementStatusRequest(command_ids=[f"{d.id}.1"])).commands
        return [s for s in states if s.state == "final"]
    [state] = wait_for(skipped, 10, what="enforcement's answer to the alert")
    assert state.status == "skipped" and "would have flattened" in state.detail
    calls, _failed = desk.counts()
    assert calls.get(CLOSE, 0) == 0 and calls.get("/api/Order/cancel", 0) == 0
    assert desk.positions(ALERT) == {MNQ: 1} and len(desk.working(ALERT)) == 1
    assert len(desk.client.search_orders(ALERT, 0)) == 3     # the trader's own, nothing else
    assert desk.lockouts(ALERT) == []


def test_risk_killed_while_a_flatten_is_pending_loses_and_doubles_nothing(desk):
    desk.quiet()
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    desk.buy(KILLED, MNQ, 2)
    desk.client.place_order(KILLED, MNQ, STOP, SELL, 1, stop_price=Decimal(20990))
    desk.reset_calls()
    desk.sim("/sim/market", {"open": False})                 # closes will be rejected
    try:
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 20980})   # the stop fills: loss
        wait_for(lambda: desk.decisions(KILLED, "daily_realized_loss"), 10,
                 what="the breach decision")
        wait_for(lambda: desk.calls(CLOSE) >= 1, 10, what="a close rejected by the closed market")
        risk_pid = desk.procs.workers(desk.config)["risk"].pid
        os.kill(risk_pid, signal.SIGKILL)
        wait_for(lambda: (lambda w: w.state == "running" and w.pid != risk_pid)(
            desk.procs.workers(desk.config)["risk"]), 20, what="risk restarted by riskd")
        assert desk.positions(KILLED) == {MNQ: 1}            # still waiting for the market
    finally:
        desk.sim("/sim/market", {"open": True})
    desk.until_flat(KILLED, timeout=20)
    desk.quiet()
    # closed once, not twice, counted at the broker: a second closeContract on the now flat
    # position creates no order, the broker refuses it (no position), and that counts too
    assert desk.took_effect(CLOSE) == 1
    assert desk.refused(CLOSE, NO_POSITION) == 0
    assert len(desk.decisions(KILLED, "daily_realized_loss")) == 1
    assert len(desk.lockouts(KILLED)) == 1
