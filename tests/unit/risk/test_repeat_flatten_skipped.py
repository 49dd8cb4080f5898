"""A trade after daily_realized_loss's limit, under that rule's own lockout to the roll: the
engine no longer builds the flatten it would drop as the same action repeated (round 22: ~70
Python calls on every later hop of the headline bench, growing with the day). The short cut
changes no decision: any sequence of losing and winning trades, waits and admin unlocks gives
the same outcomes, step by step, with it and without it (ids aside: the skipped decision no
longer takes one). etc/riskd.toml's rules as shipped (daily_realized_loss 500 and
daily_net_loss 600 lock to the roll; cooldown_after_loss's timers beside them), account 1001.
"""
from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from shared.config.load import load_config
from shared.messages.market import SIDE_SELL, AccountUpdate, Fill
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine

ACCOUNT = 1001
LOADED = load_config(SHIPPED)
START = chi(2026, 11, 25, 9, 0)       # a Wednesday, the market open


class Run:
    """One engine fed the steps; `short_cut` False: the engine as before (the rule judged and
    its flatten dropped by _take)."""

    def __init__(self, short_cut: bool):
        self.now = START
        self.engine = shipped_engine(LOADED, self.now)
        if not short_cut:
            self.engine.repeats_own_flatten = lambda ctx, rule, params: False
        self.trades = iter(range(1, 10**6))
        self.on(AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000),
                              can_trade=True))

    def on(self, event):
        return self.engine.on_event(event, self.now)

    def step(self, op) -> str:
        kind, n = op
        if kind in ("loss", "win"):
            pnl = Decimal(-n if kind == "loss" else n)
            out = self.on(Fill(account_id=ACCOUNT, trade_id=next(self.trades), contract_id=MNQ,
                               ts_ns=self.now, price=Decimal(21000), pnl=pnl,
                               fees=Decimal(0), side=SIDE_SELL, size=1))
        elif kind == "wait":
            self.now += n * NS
            out = self.engine.tick(self.now)
        else:
            out, _refused = self.engine.unlock(ACCOUNT, None, "admin", "test unlock", self.now)
        return canonical(repr(out))

    def held(self) -> str:
        return canonical(repr(sorted(self.engine.lockouts.all(), key=repr)))

    def acted(self) -> dict:
        """What each lockout acted on, but the words of each breach recorded under it (the
        short cut's one change: read only under a timer lockout, by a rule's own new breach,
        acting.py _take), and the screens' note of each rule."""
        engine = self.engine
        return ({key: {a for a in seen if a[0] != "said"} for key, seen in engine.acted.items()},
                {name: engine.breach_note(ACCOUNT, name) for name in engine.rules})


def canonical(text: str) -> str:
    """The ids renamed in their order of appearance."""
    names: dict[str, str] = {}
    return re.sub(r"\bid\d+\b", lambda m: names.setdefault(m.group(), f"#{len(names)}"), text)


step = st.one_of(
    st.tuples(st.just("loss"), st.sampled_from([20, 120, 300, 450])),
    st.tuples(st.just("win"), st.sampled_from([50, 400, 900])),
    st.tuples(st.just("wait"), st.sampled_from([1, 30, 400])),
    st.tuples(st.just("unlock"), st.just(0)),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(step, min_size=1, max_size=14))
def test_the_short_cut_changes_no_outcome(steps):
    fast, slow = Run(True), Run(False)
    for op in steps:
        assert fast.step(op) == slow.step(op), op
        assert fast.held() == slow.held(), op
        assert fast.engine.warned == slow.engine.warned
        assert fast.acted() == slow.acted(), op


def test_a_loss_after_the_limit_builds_no_flatten():
    """The limit's trade locks and flattens; the next loss records "no new action" once; the
    ones after it are not judged by daily_realized_loss at all (main: each built its flatten,
    words and lockout, then dropped them)."""
    run = Run(True)
    rule = run.engine.rules["daily_realized_loss"]
    judged = []
    real = rule.evaluate
    rule.evaluate = lambda *a: judged.append(1) or real(*a)
    try:
        run.step(("loss", 450))
        run.step(("wait", 400))              # past cooldown_after_loss's timer
        run.step(("loss", 120))             # -570: past 500, below daily_net_loss's 600
        assert "daily_realized_loss" in [lk.rule for lk in run.engine.lockouts.all()]
        run.step(("loss", 20))               # the first repeat: its "no new action" noted
        judged.clear()
        for _ in range(5):
            run.step(("loss", 1))
        assert judged == []
        run.step(("win", 900))               # back above the line: judged again
        assert judged == [1]
    finally:
        rule.evaluate = real
