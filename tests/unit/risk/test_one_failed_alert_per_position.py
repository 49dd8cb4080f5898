"""One FAILED alert per position, however many of riskd's actions on it fail.

Trial 2026-12-06: a locked account's close of MNQ long 1 failed (the broker answered 500), then a
flatten of the same account (MNQ long 1 all it held) failed too: the phone got two "🚨
Enforcement FAILED ... act now" for the one position. Now an action whose target is all in
another failing action's that the phone was told of is folded into it (services/risk/retries.py
_folded_into): no FAILED, "still FAILING", "✅ Done" or "✅ Resolved" of its own while that one
speaks for it; both are still tried again and both are on the screens.

The shipped rules (etc/riskd.toml) on risk's engine with its injected clock
(tests/unit/risk/engine_run.py).
"""
from __future__ import annotations

from decimal import Decimal

from services.risk.store import Store
from shared.messages.market import (POSITION_LONG, SIDE_BUY, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate)
from tests.unit.risk.desk import MNQ, NS, shipped_engine
from tests.unit.risk.engine_run import ACCOUNT, LOADED, WEDNESDAY, EngineRun


class Run(EngineRun):
    def buy(self, size: int, total: int, trade_id: int):
        self.on(Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=MNQ, ts_ns=self.now,
                     price=Decimal("21000"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                     size=size))
        self.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                               ts_ns=self.now, type=POSITION_LONG, size=total,
                               average_price=Decimal("21000")))

    def flat(self):
        self.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                               ts_ns=self.now, type=0, size=0, average_price=Decimal(0)))

    def lock(self, **how):
        out, why = self.engine.self_lock(ACCOUNT, self.now, reason="done", **how)
        assert not why
        self.outs.append(out)
        return out.commands

    def titles(self, since: int) -> list[str]:
        return [n.title for n in self.notices(since)]


def a_close_then_a_flatten_of_mnq_failed() -> tuple[Run, int]:
    """Locked 30 minutes (nothing open), the trader buys MNQ 1: the lockout's close fails;
    then the trader locks the account for the session: its flatten (MNQ long 1) fails."""
    run = Run()
    (flatten,) = run.lock(until_ns=run.now + 1800 * NS)
    run.result(flatten, "done", detail="nothing open")
    run.wait(1)
    run.buy(1, 1, 1)
    (close,) = run.sent()
    assert close.action == "close_position"
    mark = len(run.outs)
    run.result(close, "failed", attempts=4)
    run.wait(1)
    (flatten,) = run.lock(session=True)
    assert flatten.action == "flatten"
    run.result(flatten, "failed", attempts=4)
    return run, mark


def test_the_flatten_of_a_position_whose_close_failed_is_not_a_second_failed_alert():
    run, mark = a_close_then_a_flatten_of_mnq_failed()
    (failed,) = [n for n in run.notices(mark) if "FAILED" in n.title]
    assert "close MNQ long 1 on Demo 1 (id 1001) gave up after 4 calls" in failed.lines[0]
    # both are still tried again, and the screens show both
    assert sorted(f.action for f in run.failing()) == ["close_position", "flatten"]
    # eleven minutes of failures: "still FAILING" each 5 minutes, the close's only
    end = run.now + 660 * NS
    while run.now < end:
        run.wait(1)
        for cmd in run.sent():
            run.result(cmd, "failed", attempts=4)
    still = [n for n in run.notices(mark) if "still FAILING" in n.title]
    assert len(still) == 2 and all(n.lines[0].startswith("close MNQ long 1:") for n in still), \
        [n.lines for n in still]
    assert len([t for t in run.titles(mark) if "FAILED" in t]) == 1


def test_its_end_is_said_once():
    run, mark = a_close_then_a_flatten_of_mnq_failed()
    run.wait(5)
    tries = run.sent()
    assert sorted(c.action for c in tries) == ["close_position", "flatten"]
    flatten = next(c for c in tries if c.action == "flatten")
    run.result(flatten, "done", detail="closed MNQ long 1")          # the broker answers
    run.flat()
    for cmd in tries:
        if cmd is not flatten:
            run.result(cmd, "done", detail="MNQ was already flat")
    run.wait(120)
    assert run.failing() == [] and run.sent() == []
    ends = [t for t in run.titles(mark) if t.startswith("✅")]
    assert len(ends) == 1, run.titles(mark)
    assert len([t for t in run.titles(mark) if "FAILED" in t]) == 1


def test_a_failed_flatten_then_the_failed_close_of_what_grew_is_one_alert():
    """The other order: the session lockout's flatten of MNQ long 1 fails; the trader buys one
    more while it waits to be tried again; the lockout's reduce of it fails too."""
    run = Run()
    run.buy(1, 1, 1)
    run.wait(1)
    (flatten,) = run.lock(session=True)
    mark = len(run.outs)
    run.result(flatten, "failed", attempts=4)
    run.wait(1)
    run.buy(1, 2, 2)
    (reduce,) = run.sent()
    assert reduce.action == "reduce_position"
    run.result(reduce, "failed", attempts=4)
    titles = run.titles(mark)
    assert len([t for t in titles if "FAILED" in t]) == 1, titles
    assert "flatten (MNQ long 1)" in run.notices(mark)[0].lines[0]


def test_a_restart_of_risk_keeps_the_flatten_folded_into_the_close(tmp_path):
    """Both failing actions are rebuilt from their waiting tries after a restart (the store's
    outbox); which one speaks for the position is kept too (the store's meta 'folds'). Before,
    the restarted risk took the flatten as an action of its own: its own "still FAILING"
    every 5 minutes beside the close's, a second alert for the one position."""
    run, mark = a_close_then_a_flatten_of_mnq_failed()
    store, _ = Store.open(str(tmp_path))
    for out in run.outs:
        store.commit(out, run.engine)
    store.close()
    again = Run.__new__(Run)            # the same story's next risk, loaded from the store
    again.now, again.outs = run.now + NS, []
    again.engine = shipped_engine(LOADED, again.now, prefix="b")
    store, _ = Store.open(str(tmp_path))
    store.load(again.engine, again.now)
    again.outs.append(again.engine.apply_snapshot(MarketSnapshot(
        seq=1, epoch=1, complete=True, accounts=[AccountUpdate(
            account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000), can_trade=True)],
        positions=[PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                                  ts_ns=WEDNESDAY, type=POSITION_LONG, size=1,
                                  average_price=Decimal("21000"))],
        orders=[], fills=[], quotes=[]), again.now))
    assert sorted(f.action for f in again.failing()) == ["close_position", "flatten"]
    end = again.now + 660 * NS
    while again.now < end:
        again.wait(1)
        for cmd in again.sent():
            again.result(cmd, "failed", attempts=4)
    still = [n for n in again.notices() if "FAIL" in n.title]
    assert len(still) == 2 and all(n.lines[0].startswith("close MNQ long 1:") for n in still), \
        [n.lines for n in still]
    store.close()
