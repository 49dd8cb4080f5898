"""A breach's step and commit do not grow with the day's breaches.

The headline bench (a locked trader, 500 breaches in ~6 s) made risk's work before it
publishes the close grow with every breach of the day: each breach looked for riskd's open
exits three times by scanning every exit of the last 15 s (used up ones included: ~500), and
its commit counted the day's trades by summing over all of them (~1,000). In-process, at the
500th breach: step 142 -> 65-76 µs, commit 199-208 -> 160 µs (docs/performance.md
"Round 13"). Now the exits still expecting contracts are listed as they change, and today's
trade count is kept as trades come; what they answer is the same (guarantee 8's tests and
these).
"""
from __future__ import annotations

import random

import pytest

from services.risk.exits import Exit
from services.risk.store import Store
from tests.unit.risk.desk import MNQ, NS, SIDE_BUY, SIDE_SELL, Desk, chi

pytestmark = pytest.mark.timeout(60)


def locked(tmp_path) -> tuple[Desk, Store]:
    desk = Desk()
    store, _ = Store.open(str(tmp_path))
    out, _ = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 3600 * NS)
    store.commit(out, desk.engine)
    return desk, store


def breach(desk: Desk, store: Store):
    """The trader buys 1 (a breach: closed), riskd's close fills, the position is flat."""
    desk.now += NS // 100
    out = desk.trade(None, contract=MNQ, side=SIDE_BUY, price="21000")
    store.commit(out, desk.engine)
    desk.now += NS // 100
    for o in (desk.long(1, MNQ, 21000),
              desk.trade("0", contract=MNQ, side=SIDE_SELL, price="21000"),
              desk.flat(MNQ)):
        store.commit(o, desk.engine)
    return out


def test_a_breach_looks_at_the_exits_still_expecting_not_every_exit(tmp_path, monkeypatch):
    desk, store = locked(tmp_path)
    for _ in range(300):
        assert breach(desk, store).commands
    riskd = desk.account.riskd
    assert len(riskd.expected) >= 300 and not [e for e in riskd.expected if e.size]
    looked = []
    real = Exit.open_at
    monkeypatch.setattr(Exit, "open_at", lambda self, now: looked.append(1) or real(self, now))
    out = breach(desk, store)
    assert out.commands and out.commands[0].action == "close_position"
    assert len(looked) <= 10, f"{len(looked)} exits looked at for one breach"
    store.close()


class CountedDict(dict):
    def __init__(self, *args):
        super().__init__(*args)
        self.scans = 0

    def values(self):
        self.scans += 1
        return super().values()


def test_a_breach_commit_does_not_sum_the_days_trades(tmp_path):
    desk, store = locked(tmp_path)
    for _ in range(50):
        breach(desk, store)
    acct = desk.account
    acct.trades = CountedDict(acct.trades)
    breach(desk, store)
    assert acct.trades_today == 51          # the trader's buys; riskd's closes are not trades
    assert acct.trades.scans == 0
    store.close()


def test_todays_trade_count_is_the_days_trades_whatever_comes():
    """Duplicates, voided and un-voided trades, riskd's closes, a roll: the count kept is the
    count of the day's trades that are the trader's and not voided."""
    rng = random.Random(7)
    desk = Desk()
    acct = desk.account
    ids: list[int] = []
    for step in range(400):
        if step == 250:
            desk.at(chi(2026, 11, 26, 9, 0))         # the next trading day
            ids.clear()
        desk.now += NS
        roll = rng.random()
        if roll < 0.5 or not ids:
            desk.trade("-5" if rng.random() < 0.5 else None,
                       side=rng.choice((SIDE_BUY, SIDE_SELL)))
            ids.append(max(acct.trades))
        else:
            tid = rng.choice(ids)
            known = acct.trades[tid]
            desk.trade(None if known.pnl is None else str(known.pnl), side=known.side,
                       voided=rng.random() < 0.6, trade_id=tid)
        want = sum(1 for f in acct.trades.values() if not f.voided and not f.by_riskd)
        assert acct.trades_today == want, step
