"""A warning due when a lockout ends reaches the phone after "🔓 Lockout ended", not before.

Trial18b section 8: "🟡 trade_frequency_limit at 80% ... value 8 vs limit 10 per hour" was
logged at 03:28:56.087, 0.1 s BEFORE "🔓 Lockout ended: Demo 2 ... trade_frequency_limit"
(03:28:56.194); rules.md says the warning "comes when the lockout ends". Risk publishes the end
first and the warning after it, in one step (services/risk/app.py apply), but notify holds a
step's lockout changes 0.1 s to make one alert of them (services/notify/steps.py) and queued
the warning at once. A warning of an account whose step is held now waits behind it, as
enforcement's results and risk's notices do. Fails on main's code (the warning first).

Risk's own engine makes the step (the lockout's end by the clock and the warning it freed),
notify's own _take/_hold/_flush_steps and step alert take it, in the order risk publishes."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.notify.app import NotifyWorker
from services.notify.steps import StepHold
from services.notify.templates import Context, build
from shared.clock import FakeClock
from shared.messages.risk import RuleWarning
from tests.unit.risk.desk import CHI
from tests.unit.risk.test_warning_after_a_lockout_ends import (
    nine_trades_the_last_two_under_a_minute_cooldown)

pytestmark = pytest.mark.timeout(30)


def the_end_and_its_warning():
    """Risk's step as the minute's cooldown ends by the clock: its end and the hour's warning."""
    desk = nine_trades_the_last_two_under_a_minute_cooldown()
    for _ in range(90):
        out = desk.wait(1)
        if out.lockouts:
            break
    assert [c.change for c in out.lockouts] == ["cleared"], out.lockouts
    assert [w.rule for w in out.warnings] == ["trade_frequency_limit"], out.warnings
    # as risk's apply() publishes a step: lockout changes, decisions, then warnings
    return [*out.lockouts, *out.decisions, *out.warnings]


def worker():
    clock = FakeClock(1_764_900_000 * 10**9)
    timers = []
    rows = iter(range(1, 100))
    w = SimpleNamespace(
        clock=clock, steps=StepHold(), _held_rows={}, _behind={}, _late=set(), _waited={},
        _market_waited={}, _claimed={}, _fills={}, _accepted={}, _locks={}, queued=[], timers=timers,
        outbox=SimpleNamespace(hold=lambda _frame: next(rows), decided=lambda _id: False,
                               mark_decided=lambda *_a: None, release=lambda _rows: None,
                               resulted=lambda _id: False),
        locked_buys=SimpleNamespace(heard=lambda *_a: None),
        done_hold=SimpleNamespace(heard=lambda _key: []),
        after=lambda s, fn: timers.append((s, fn)))
    ctx = Context(tz=CHI, accounts={1001: "Demo 1"})
    w._ctx = lambda: ctx
    w._build = lambda msg: build(msg, ctx)
    w.queue = lambda alert, *_a, **_k: w.queued.append(alert)
    w._hold = lambda msg, row, now=None: NotifyWorker._hold(w, msg, row, now)
    w._remember_waiting = lambda group, c: NotifyWorker._remember_waiting(w, group, c)
    w._remember_claimed = lambda group: NotifyWorker._remember_claimed(w, group)
    w._flush_steps = lambda everything=False: NotifyWorker._flush_steps(w, everything)
    return w


def test_the_warning_freed_by_a_lockouts_end_follows_the_end_on_the_phone():
    w = worker()
    for msg in the_end_and_its_warning():
        NotifyWorker._take(w, msg)
    assert [a.title for a in w.queued] == []           # all of it waits for the step's hold
    w.clock.advance(0.2)
    [(_s, flush)] = w.timers        # the step's hold is over: the timer notify set runs
    flush()
    titles = [a.title for a in w.queued]
    assert len(titles) == 2, titles
    assert titles[0].startswith("🔓 Lockout ended: Demo 1"), titles
    assert titles[1].startswith("🟡 trade_frequency_limit at "), titles


def test_a_warning_with_no_step_held_for_its_account_goes_at_once():
    w = worker()
    [warning] = [m for m in the_end_and_its_warning() if isinstance(m, RuleWarning)]
    NotifyWorker._take(w, warning)
    assert [a.title.split(" at ")[0] for a in w.queued] == ["🟡 trade_frequency_limit"]
    assert w._behind == {} and len(w.steps) == 0
