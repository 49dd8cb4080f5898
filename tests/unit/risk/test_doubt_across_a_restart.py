"""The doubt about an account's positions (market restarted and has not read the broker:
Engine.unsure) across a restart of risk, and how it ends.

Round 22 left the doubt's start and the alerts' "told" mark in risk's memory only: a risk
restarted mid-doubt started the 30 s count again from its own start (a second "🟠 Positions
not judged" 30 s later, the screens' "since" moved), and one that then got market's complete
snapshot sent no "🟢 Positions judged again" to the phone it had told. Both are now saved in
risk's state file (meta 'unjudged': with every commit, and before an alert is published), and
a restarted risk's incomplete snapshot keeps in doubt what the account held before (its book
is empty until a snapshot fills it). Also: a doubt that ends by an incomplete snapshot listing
every position in doubt judges what waited, as a complete one does (a buy past max_contracts
made meanwhile was not cut until its next Position event); and risk asks a market that has
not read the broker again after 0.5, 1, 2, 4, 4 ... s, not twice a second for as long as the
broker's REST is down (each ask is a full snapshot).

The shipped rules (etc/riskd.toml); the story of test_no_judging_on_an_incomplete_snapshot
(ES long 1 held, market restarts, its snapshot does not list ES), risk's engine with its SQLite
store as the worker commits each step, and the real RiskWorker (worker_rig) for the alerts.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.risk import app
from services.risk.store import Store
from services.risk.unjudgedalert import UnjudgedAlerts
from shared.clock import FakeClock
from shared.messages.market import (POSITION_LONG, SIDE_BUY, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate)
from tests.unit.risk.desk import ES, MNQ, NS, chi, shipped_engine
from tests.unit.risk.test_no_judging_on_an_incomplete_snapshot import ACCOUNT, LOADED, Story
from tests.unit.risk.worker_rig import risk_worker

WHY = "waiting for market's first broker read since it restarted: ES not confirmed"
UTC = dt.timezone.utc


class Saved(Story):
    """The story with risk's store: each step committed as the worker commits it, the doubt
    and the told marks saved before an alert goes out (RiskWorker._check_unjudged)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.store = Store(path)
        self.alerts = UnjudgedAlerts()
        self.said: list = []
        self.committed = 0
        super().__init__()
        self.risk.unjudged_alerts = self.alerts
        self.commit()

    def commit(self) -> None:
        for out in self.outs[self.committed:]:
            self.store.commit(out, self.risk)
        self.committed = len(self.outs)

    def seconds(self, n: int) -> None:
        """n seconds of the worker's ticks, its alerts looked at every second."""
        for _ in range(n):
            self.wait(1)
            self.commit()
            due = self.alerts.due(self.risk, self.now, UTC)
            self.store.save_doubt(self.risk)
            self.said += [(kind, self.now) for kind, *_rest in due]

    def snapshot(self, complete: bool, positions=(), quotes=(), fills=()) -> None:
        super().snapshot(complete, positions, quotes, fills)
        if hasattr(self, "store"):
            self.commit()

    def restart(self) -> None:
        """kill -9 and start again: a fresh engine and alerts loaded from the state file."""
        self.store.close()
        self.store = Store(self.path)
        self.risk = shipped_engine(LOADED, self.now)
        self.alerts = self.risk.unjudged_alerts = UnjudgedAlerts()
        self.store.load(self.risk, self.now)
        self.outs, self.committed = [], 0


@pytest.mark.parametrize("first_after", ["incomplete", "none"])
def test_a_restart_mid_doubt_keeps_its_start_and_its_one_alert_each_way(tmp_path, first_after):
    s = Saved(str(tmp_path / "risk.db"))
    s.wait(30)
    began = s.now
    s.snapshot(complete=False)                     # market restarted: ES not listed
    s.seconds(40)
    assert s.said == [("positions_not_judged", began + 31 * NS)]
    s.restart()
    assert s.risk.unjudged(ACCOUNT) == (began, WHY)
    if first_after == "incomplete":                # the restarted risk's first snapshot:
        s.snapshot(complete=False)                 # market still has not read the broker
        assert s.risk.unjudged(ACCOUNT) == (began, WHY)
    s.seconds(40)                                  # no second "not judged"
    assert s.said == [("positions_not_judged", began + 31 * NS)]
    s.snapshot(complete=True, positions=[s.es_long()])      # market's broker read
    ended = s.alerts.due(s.risk, s.now, UTC)
    assert [(k, lines) for k, _sev, _t, lines, _a in ended] == [(
        "positions_judged_again",
        [f"{s.risk.account_name(ACCOUNT)}: the rules on its positions judge again (after "
         "1m20s: market's broker read is in, or the broker confirmed each position)"])]
    assert s.risk.unjudged(ACCOUNT) == (0, "")


def test_the_restarted_workers_complete_snapshot_says_judged_again(tmp_path):
    """The real RiskWorker, killed while it had told the phone, started again on its state
    file: the first complete snapshot ends the doubt and the phone hears it."""
    clock = FakeClock(chi(2026, 11, 25, 9, 0))
    aid = 1001
    es = PositionUpdate(account_id=aid, position_id=25, contract_id=ES, ts_ns=clock.now_ns(),
                        type=POSITION_LONG, size=1, average_price=Decimal(5000))
    account = AccountUpdate(account_id=aid, name="SIM-DEMO-1", balance=Decimal(50_000),
                            can_trade=True)

    def snapshot(w, complete, positions=()):
        w.apply(w.engine.apply_snapshot(MarketSnapshot(
            seq=1, epoch=1, complete=complete, positions=list(positions), accounts=[account]),
            clock.now_ns()))

    def tick(w, seconds) -> None:
        for _ in range(int(seconds * 10)):
            clock.advance(0.1)
            w._tick()

    accounts = [{"id": aid, "name": "SIM-DEMO-1"}]
    with risk_worker(tmp_path, accounts, clock) as (w, path, _b, sent):
        snapshot(w, True, [es])
        tick(w, 1)
        snapshot(w, False)                            # market restarted: ES in doubt
        tick(w, 35)
        assert [k for k, *_r in sent] == ["positions_not_judged"], sent
    clock.advance(5)
    # started again: the rig's first snapshot is market's complete one (its broker read),
    # said at the first tick, 40.1 s after the doubt began
    with risk_worker(tmp_path, accounts, clock, path=path) as (w, _p, _b, sent):
        tick(w, 1)
        assert [(k, lines) for k, _s, _t, lines in sent] == [(
            "positions_judged_again",
            [f"{w.engine.account_name(aid)}: the rules on its positions judge again (after "
             "40s: market's broker read is in, or the broker confirmed each position)"])], sent


def test_a_doubt_ended_by_an_incomplete_snapshot_judges_what_waited():
    """ES in doubt; meanwhile the trader buys MNQ 7 (the shipped max_contracts: 5), its rules
    waiting. Market's next snapshot, still incomplete, lists ES and MNQ: nothing is in doubt
    any more, and the 7 are cut to 5 then, not at MNQ's next Position event."""
    s = Story()
    s.snapshot(complete=False)                     # ES not listed: in doubt
    s.wait(1)
    mnq = PositionUpdate(account_id=ACCOUNT, position_id=26, contract_id=MNQ, ts_ns=s.now,
                         type=POSITION_LONG, size=7, average_price=Decimal(21000))
    s.on(Fill(account_id=ACCOUNT, trade_id=3, contract_id=MNQ, ts_ns=s.now,
              price=Decimal(21000), pnl=None, fees=Decimal("2.59"), side=SIDE_BUY, size=7,
              order_id=13))
    s.on(mnq)
    s.wait(2)
    assert [a for a in s.acted() if a[0] == "max_contracts"] == []    # waits: ES in doubt
    s.snapshot(complete=False, positions=[s.es_long(), mnq])
    assert s.risk.unjudged(ACCOUNT) == (0, "")
    assert ("max_contracts", "reduce_position") in s.acted()


def test_asking_a_market_that_has_not_read_the_broker_backs_off(tmp_path):
    clock = FakeClock(chi(2026, 11, 25, 9, 0))
    with risk_worker(tmp_path, [{"id": 1001, "name": "SIM-DEMO-1"}], clock) as (w, *_r):
        def waits(snapshots: list[bool]) -> list[float]:
            out = []
            for complete in snapshots:
                w.on_snapshot(MarketSnapshot(seq=0, epoch="test", complete=complete))
                out.append(round(w.resync_at - clock.monotonic(), 3) if w.resync_at else 0)
            return out
        assert waits([False] * 6) == [0.5, 1, 2, 4, 4, 4]
        assert waits([True, False]) == [0, 0.5]            # from the start again
    assert app.INCOMPLETE_RETRY_MAX == 4.0


def test_a_position_confirmed_closed_after_the_restart_is_not_in_doubt_again(tmp_path):
    """The restarted risk's first incomplete snapshot puts ES (held when it stopped) in doubt;
    the broker's live Position then says ES is closed (the trader closed it): the doubt ends,
    and market's next incomplete snapshot (risk asks again until one is complete) does not
    bring it back from the restart's record."""
    s = Saved(str(tmp_path / "risk.db"))
    s.wait(5)
    s.restart()
    s.snapshot(complete=False)
    assert s.risk.unjudged(ACCOUNT)[1] == WHY
    s.on(PositionUpdate(account_id=ACCOUNT, position_id=25, contract_id=ES, ts_ns=s.now,
                        type=POSITION_LONG, size=0, average_price=Decimal(5000)))
    assert s.risk.unjudged(ACCOUNT) == (0, "")
    s.wait(1)
    s.snapshot(complete=False)
    assert s.risk.unjudged(ACCOUNT) == (0, "")


@pytest.mark.parametrize("ended_by", ["complete-snapshot", "es-position"])
def test_a_drop_while_a_restarted_risk_waits_is_judged_when_the_wait_ends(tmp_path, ended_by):
    """Risk and market restarted together (riskctl restart): ES, held when risk stopped, is
    not in market's first (incomplete) snapshot. ES drops 16 points (-200 on one ES, rule 4's
    shipped limit) meanwhile: not judged, and the status says why (before, the book was empty
    and nothing said so); closed once market's read is in, or once the broker's live Position
    shows ES still held (its opening a minute old: the drop, stamped after it, values it)."""
    s = Saved(str(tmp_path / "risk.db"))
    es = s.es_long()                                # opened before the restart
    s.wait(60)
    s.restart()
    s.snapshot(complete=False)
    s.on(s.quote(4984))
    s.wait(2)
    assert s.acted() == [] and s.risk.unjudged(ACCOUNT)[1] == WHY
    if ended_by == "complete-snapshot":
        s.snapshot(complete=True, positions=[es], quotes=[s.quote(4984)])
    else:
        s.on(es)
    s.wait(2)
    assert ("daily_unrealized_loss", "close_position") in s.acted(), s.acted()
    assert s.risk.unjudged(ACCOUNT) == (0, "")
