"""End to end with every real process (riskd: sim broker, market, risk, enforcement) and
etc/riskd.toml's rules, driven only through the sim's ProjectX REST API, /sim/* controls,
`riskctl` and riskd's control socket: a losing day ends flat and locked, a trade during a
lockout is undone, alert mode touches nothing, and risk killed while a
flatten is pending loses nothing and doubles nothing. Each scenario trades a fresh account
(tests/e2e/riskdesk.py)."""
from __future__ import annotations

import os
import signal
import time
from decimal import Decimal

import pytest

from shared.messages.enforce import EnforcementStatusRequest
from tests.e2e.harness import BUY, CLOSE, LIMIT, MARKET, MNQ, NO_POSITION, SELL, STOP
from tests.support.env import wait_for

pytestmark = pytest.mark.slow


def test_a_losing_day_ends_flat_with_orders_cancelled_and_locked_until_the_roll(desk):
    acct = desk.account("small_loss")
    desk.price(MNQ, 21000)
    desk.resting_buy(acct, MNQ, below=Decimal(400), brackets=True)
    desk.client.place_order(acct, MNQ, STOP, SELL, 1, stop_price=Decimal(20900))
    desk.reset_calls()
    desk.losing_trade(acct)
    desk.until_flat(acct)
    desk.quiet()
    assert desk.succeeded(CLOSE) == 1                        # the one contract left
    locks = desk.lockouts(acct)
    assert len(locks) == 1, [(lk.rule, lk.kind) for lk in locks]
    [lock] = locks
    assert (lock.rule, lock.kind, lock.symbol) == ("daily_realized_loss", "until_reset", None)
    assert lock.until_ns > time.time_ns()


def test_a_buy_during_a_lockout_is_undone_within_a_second(desk):
    acct = desk.account()
    desk.known(acct)
    locked = desk.riskctl("lockout", str(acct), "--until", "10m", "--reason", "e2e")
    assert locked.returncode == 0, locked.stderr
    desk.quiet()
    desk.price(MNQ, 21000)
    bought = time.time()
    desk.buy(acct, MNQ, 1)
    # undone at all (the 1 s budget is make bench's: bench_enforcement)
    wait_for(lambda: desk.flat(acct), 10, interval=0.01,
             what=f"flat after the buy at {time.strftime('%H:%M:%S', time.gmtime(bought))}"
                  f"{bought % 1:.3f}{desk.picture(acct)}")
    desk.client.place_order(acct, MNQ, MARKET, BUY, 1,      # with a stop and a target
                            stop_loss_bracket={"ticks": 200, "type": STOP},
                            take_profit_bracket={"ticks": 200, "type": LIMIT})
    desk.until_flat(acct, timeout=5)                         # closed, its bracket cancelled
    desk.resting_buy(acct, MNQ)
    desk.until_flat(acct, timeout=10)                        # the new order is cancelled


def test_alert_mode_touches_nothing(desk):
    acct = desk.account("small_loss_alert")
    desk.quiet()
    desk.price(MNQ, 21000)
    desk.resting_buy(acct, MNQ)
    desk.reset_calls()
    desk.losing_trade(acct)
    [d] = wait_for(lambda: desk.decisions(acct, "daily_realized_loss"), 10,
                   what="the alert-mode decision")
    assert d.mode == "alert" and d.action == "flatten"

    def skipped():
        states = desk.ask(EnforcementStatusRequest(command_ids=[f"{d.id}.1"])).commands
        return [s for s in states if s.state == "final"]
    [state] = wait_for(skipped, 10, what="enforcement's answer to the alert")
    assert state.status == "skipped" and "would have flattened" in state.detail
    calls, _failed = desk.counts()
    assert calls.get(CLOSE, 0) == 0 and calls.get("/api/Order/cancel", 0) == 0
    assert desk.positions(acct) == {MNQ: 1} and len(desk.working(acct)) == 1
    assert len(desk.client.search_orders(acct, 0)) == 3     # the trader's own, nothing else
    assert desk.lockouts(acct) == []


def test_risk_killed_while_a_flatten_is_pending_loses_and_doubles_nothing(desk):
    acct = desk.account("small_loss")
    desk.quiet()
    desk.price(MNQ, 21000)
    desk.buy(acct, MNQ, 2)
    desk.client.place_order(acct, MNQ, STOP, SELL, 1, stop_price=Decimal(20990))
    desk.reset_calls()
    desk.sim("/sim/market", {"open": False})                 # closes will be rejected
    try:
        desk.price(MNQ, 20980)                               # the stop fills: a loss
        wait_for(lambda: desk.decisions(acct, "daily_realized_loss"), 10,
                 what="the breach decision")
        wait_for(lambda: desk.calls(CLOSE) >= 1, 10, what="a close rejected by the closed market")
        risk_pid = desk.procs.workers(desk.config)["risk"].pid
        os.kill(risk_pid, signal.SIGKILL)
        wait_for(lambda: (lambda w: w.state == "running" and w.pid != risk_pid)(
            desk.procs.workers(desk.config)["risk"]), 20, what="risk restarted by riskd")
        assert desk.positions(acct) == {MNQ: 1}              # still waiting for the market
    finally:
        desk.sim("/sim/market", {"open": True})
    desk.until_flat(acct, timeout=20)
    desk.quiet()
    # closed once, not twice, counted at the broker: a second closeContract on the now flat
    # position creates no order, the broker refuses it (no position), and that counts too
    assert desk.took_effect(CLOSE) == 1
    assert desk.refused(CLOSE, NO_POSITION) == 0
    assert len(desk.decisions(acct, "daily_realized_loss")) == 1
    assert len(desk.lockouts(acct)) == 1
