"""What risk's step for a locked trader's buy walks, and riskd's order ids in the store.

Round 22 (docs/performance.md, "Round 22"), on the headline path (a locked account's buy ->
close_position), two scans that grew with the day's breaches:
- every trader's fill that no close claimed asked whether its order was placed before every
  flatten riskd remembers (Engine._traders_order: a walk of all the account's exits, ~500 in
  the headline bench) before claim_swept looked at the fill; claim_swept refuses a fill that
  opens (no pnl) first, so the answer was thrown away. It is asked only when needed now.
- the store's commit compared the day's whole set of riskd's order ids with the ones it had
  written (~700 by the bench's end) to find the step's new ones; the exits now hand it the
  ones added since its last write, as they hand it the ones taken back.
And what that changes beside the speed: an order id taken back in a step whose commit was
rolled back stayed in the store (the step's changes were taken, then lost with the
rollback), so after a restart of risk its fills were riskd's again. After a rollback the
next commit writes riskd's order ids anew, as it writes the exits anew.
"""
from __future__ import annotations

import sqlite3

import pytest

from services.risk.engine import Engine
from services.risk.store import Store
from shared import topics
from shared.messages.enforce import Command
from shared.messages.market import SIDE_BUY, SIDE_SELL
from tests.unit.risk.desk import ACCOUNT, MNQ, NS
from tests.unit.risk.test_breach_copies import _buy, _result, _take_all, locked  # noqa: F401
from tests.unit.risk.test_riskd_closes_in_a_burst import result
from tests.unit.risk.test_riskd_closes_in_a_burst import locked as locked_desk
from tests.unit.risk.test_whose_across_a_risk_restart import (claimed_sell_saved, restarted,
                                                               saved)
from tests.unit.risk.test_whose_by_order_ids import answered, closes


def test_a_locked_buy_does_not_walk_every_exit_for_a_swept_close(locked, monkeypatch):
    """The trader's buy (it opens: no pnl) is cut by the lockout's close as before, and
    _traders_order, a walk of every exit remembered, is not asked for it. Fails on main:
    asked once per buy."""
    w, market, sent = locked
    asked: list = []
    real = Engine._traders_order
    monkeypatch.setattr(Engine, "_traders_order",
                        staticmethod(lambda acct, fill: asked.append(fill) or real(acct, fill)))
    _buy(w, market)
    _take_all(w, sent)
    commands = [m for t, m in sent if t == topics.COMMAND and isinstance(m, Command)]
    assert [c.action for c in commands] == ["close_position"]
    assert asked == []


class Walked(set):
    """riskd's order ids, counting what walks the whole set."""
    walks = 0

    def __iter__(self):
        Walked.walks += 1
        return super().__iter__()

    def __sub__(self, other):
        Walked.walks += 1
        return super().__sub__(other)


def test_the_commit_writes_the_steps_new_order_ids_without_walking_the_days(tmp_path):
    """700 of riskd's order ids saved today; a close's result names one more: the commit
    writes that one and walks none of the 700. Fails on main (orders - saved per commit)."""
    desk = locked_desk(per_minute=1000)
    store, _ = Store.open(str(tmp_path))
    desk.account.riskd.load([], range(100_000, 100_700))      # saved by earlier steps
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, order_id=900)
    desk.long(1, MNQ, 21000)
    [close] = [e.command for e in closes(desk)]
    saved(store, desk)
    desk.account.riskd.orders = Walked(desk.account.riskd.orders)
    answered(desk, close, (901, SIDE_SELL, 1))        # its close order: riskd's
    Walked.walks = 0
    saved(store, desk)
    assert Walked.walks == 0
    rows = {o for (o,) in store.db.execute("SELECT order_id FROM riskd_orders")}
    assert 901 in rows and not rows & set(range(100_000, 100_700))   # only the step's own
    store.close()


def test_an_order_taken_back_in_a_rolled_back_step_is_not_riskds_after_a_restart(
        tmp_path, monkeypatch):
    """The trader's sell taken for riskd's close is saved as riskd's; the close's result makes
    it the trader's, and that step's commit fails (rolled back, risk goes on). The next step's
    commit writes riskd's order ids anew: after a restart, the order is the trader's. Fails on
    main: its row came back with the rollback and stayed."""
    desk, store, close = claimed_sell_saved(tmp_path)
    assert {901} <= {o for (o,) in store.db.execute("SELECT order_id FROM riskd_orders")}
    out = answered(desk, close)                           # ... and taken back
    assert 901 not in desk.account.riskd.orders
    real = store._rules

    def fails(engine):
        raise sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(store, "_rules", fails)
    with pytest.raises(sqlite3.OperationalError):
        store.commit(out, desk.engine)                    # rolled back (the worker goes on)
    monkeypatch.setattr(store, "_rules", real)
    desk._committed = len(desk.history)
    desk.wait(1)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, order_id=902)   # the next step
    later = restarted(tmp_path, store, desk)
    assert 901 not in later.account.riskd.orders
    later.store.close()


def test_a_new_day_forgets_riskds_orders_and_the_next_days_are_written(tmp_path):
    """An order lives one trading day: at the roll none is riskd's, in the store too; an order
    made riskd's on the new day is saved and riskd's after a restart."""
    desk = locked_desk(per_minute=1000)
    store, _ = Store.open(str(tmp_path))
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, order_id=900)
    desk.long(1, MNQ, 21000)
    [close] = [e.command for e in closes(desk)]
    answered(desk, close, (901, SIDE_SELL, 1))
    saved(store, desk)
    assert 901 in desk.account.riskd.orders
    desk.wait(30 * 3600)                  # the next trading day (the 30-minute lockout over)
    assert not desk.account.riskd.orders
    saved(store, desk)
    assert not list(store.db.execute("SELECT order_id FROM riskd_orders"))
    lock, refusal = desk.engine.self_lock(ACCOUNT, desk.now, until_ns=desk.now + 1800 * NS)
    assert not refusal
    desk.history.append(lock)
    for cmd in lock.commands:                  # the flatten of a flat account: nothing to do
        result(desk, cmd.id, cmd.action)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, order_id=910)
    desk.long(1, MNQ, 21000)
    [again] = [e.command for e in closes(desk)]
    answered(desk, again, (911, SIDE_SELL, 1))
    assert 911 in desk.account.riskd.orders
    later = restarted(tmp_path, store, desk)
    assert 911 in later.account.riskd.orders
    assert 901 not in later.account.riskd.orders
    later.store.close()


def test_a_commit_encodes_the_off_rules_only_when_they_changed(locked, monkeypatch):
    """The rules in force as an admin's disable --now stopped guarding (none here) were
    encoded to JSON at every commit to find them unchanged; now only when the rules they are
    made of changed (as the rules in force). Fails on main: one encoding per commit. That a
    change is still written: test_enable_judges_at_once.py (the off rules across a restart)."""
    import services.risk.store as store_module
    w, market, sent = locked
    assert w.store.db.execute("SELECT value FROM meta WHERE key = 'off_rules'").fetchone()
    encoded: list = []
    real = store_module.json.dumps

    class Json:
        loads = staticmethod(store_module.json.loads)

        @staticmethod
        def dumps(obj, **kw):
            if isinstance(obj, dict) and "accounts" in obj:
                encoded.append(obj)
            return real(obj, **kw)
    monkeypatch.setattr(store_module, "json", Json)
    _buy(w, market)
    _take_all(w, sent)                                   # the buy's step, committed
    assert [m.action for t, m in sent if t == topics.COMMAND] == ["close_position"]
    assert encoded == []
