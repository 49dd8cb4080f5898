"""no_stop_loss_grace's row says a failed close waits for its next try; it is not "in flight".

trial19b finding 4: `riskctl stop simbroker` during a held close; enforcement gave up (failed),
riskd's next try waited 5 s in the outbox, and `riskctl status` read on one screen "MNQ has no
stop: riskd's close in flight for 1s; a stop placed now is cancelled with it" and, in LAST
ACTIONS, "failed". Nothing was at the broker: the row says what is so, "riskd's close failed
0s ago, tries again in 5s", and "in flight" again once that try is sent.

The shipped rules (etc/riskd.toml) with no_stop_loss_grace enabled (it ships off; the row is
the finding: grace 10 s); daily_unrealized_loss (200 per position) makes the close. One
account on risk's engine, its injected clock moved by the worker's 0.1 s tick.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.risk.store import Store
from services.risk.views import rule_values
from shared.messages.market import (POSITION_LONG, AccountUpdate, MarketSnapshot,
                                    PositionUpdate, Quote)
from shared.messages.risk import CLOSE_POSITION
from tests.unit.risk.desk import MNQ, NS, shipped_engine
from tests.unit.risk.engine_run import EngineRun
from tests.unit.risk.test_close_covered_until_its_fill import Run
from tests.unit.risk.test_no_stop_warns_before_close import RULE, grace_on

ACCOUNT = 1001


class GraceRun(Run):
    def __init__(self, tmp_path):
        loaded = grace_on(tmp_path)
        EngineRun.__init__(self)
        self.engine = shipped_engine(loaded, self.now)
        self.outs = [self.engine.recheck(self.now)]
        self.on(AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000),
                              can_trade=True))

    def row(self) -> str:
        return next(v.detail for v in rule_values(self.engine, ACCOUNT, self.now)
                    if v.rule == RULE)


def test_the_grace_row_says_the_close_failed_and_when_it_is_tried_again(tmp_path):
    """Fails on main's code: the row read "riskd's close in flight for 0s; a stop placed now
    is cancelled with it" while the try waited."""
    r = GraceRun(tmp_path)
    r.price(21000)
    r.buy(MNQ, 21000)
    out = r.price(20850)                        # -300: past daily_unrealized_loss's 200
    close = [c for c in out.commands if c.action == CLOSE_POSITION]
    assert len(close) == 1, out.commands
    r.wait(0.5)
    assert "riskd's close in flight for 0s" in r.row(), r.row()
    r.wait(2)
    r.result(close[0], "failed", detail="gave up after 4 rounds", attempts=4)
    assert r.row() == "MNQ has no stop: riskd's close failed 0s ago, tries again in 5s"
    r.wait(2)
    assert r.row() == "MNQ has no stop: riskd's close failed 2s ago, tries again in 3s"
    r.wait(3.1)                                 # the try is sent: in flight again
    assert r.row() == ("MNQ has no stop: riskd's close in flight for 0s; a stop placed now "
                       "is cancelled with it"), r.row()
    r.wait(2)
    assert r.row().startswith("MNQ has no stop: riskd's close in flight for 2s"), r.row()


def test_the_failed_row_keeps_when_it_is_tried_again_in_a_narrow_cell():
    """watch's RULES cell (cli/watch/shortreading.py): cut at its width the row lost the time
    of the next try; its shorter forms keep it."""
    from cli.watch.shortreading import fitting
    row = "MNQ has no stop: riskd's close failed 2s ago, tries again in 3s"
    assert fitting(RULE, row, 80) == row
    assert fitting(RULE, row, 40) == "MNQ no stop, close failed, again in 3s"
    assert fitting(RULE, row, 30) == "MNQ close failed, again in 3s"
    assert fitting(RULE, row, 20) == "failed, again in 3s"


@pytest.mark.parametrize("waited_s,in_flight_s", [(2, 0), (7, 3)],
                         ids=["killed-while-the-try-waits", "killed-after-it-was-sent"])
def test_after_a_restart_of_risk_the_row_counts_in_flight_from_the_tries_send(
        tmp_path, waited_s, in_flight_s):
    """The try waits (5 s after the failure); risk is killed `waited_s` after the failure and
    started again a second later on its state file. A try still waiting is sent at once (as
    every command risk reloads): "in flight for 0s" from then; one sent before the kill (its
    time had come) is in flight from its time: "in flight for 3s" (sent 5 s after the
    failure, 8 s before). stale19's leftover: the try's times lived in memory only, and the
    restarted risk's row counted "in flight" from the failure ("in flight for 3s" and "for
    8s": nothing was at the broker in those first seconds). Both fail on the code before
    (checked at fb55a41 in a detached worktree)."""
    r = GraceRun(tmp_path)
    r.price(21000)
    opened = r.now
    r.buy(MNQ, 21000)
    out = r.price(20850)
    [close] = [c for c in out.commands if c.action == CLOSE_POSITION]
    r.wait(2.5)
    r.result(close, "failed", detail="gave up after 4 rounds", attempts=4)
    r.wait(waited_s)
    store, _ = Store.open(str(tmp_path / "data"))
    for o in r.outs:                       # every step as the worker committed it
        store.commit(o, r.engine)
    store.close()
    now = r.now + NS                       # killed -9, started again a second later
    again = shipped_engine(grace_on(tmp_path), now, prefix="b")
    store, _ = Store.open(str(tmp_path / "data"))
    store.load(again, now)
    [retry] = again.outbox.due(now)        # sent at once
    assert retry.id == f"{close.decision_id}.2"
    again.apply_snapshot(MarketSnapshot(
        seq=1, epoch=1, complete=True,
        accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000),
                                can_trade=True)],
        positions=[PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                                  ts_ns=opened, type=POSITION_LONG, size=1,
                                  average_price=Decimal(21000))],
        orders=[], fills=[], quotes=[Quote(contract_id=MNQ, ts_ns=now,
                                           last=Decimal(20850))]), now)
    r.engine, r.now = again, now
    assert r.row() == (f"MNQ has no stop: riskd's close in flight for {in_flight_s}s; a stop "
                       f"placed now is cancelled with it"), r.row()
    r.wait(2)
    assert r.row().startswith(f"MNQ has no stop: riskd's close in flight for "
                              f"{in_flight_s + 2}s"), r.row()
    store.close()
