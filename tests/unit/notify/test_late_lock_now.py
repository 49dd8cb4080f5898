"""A breach alerted late (notify was down) says the lockout in force now. Trial 2026-12-06: the
late alert read "locked until Sat 18:09:50 CST ... sent late: riskd decided this at 18:08:49"
while a later breach had extended the lockout to 18:23:51; live alerts lead with the longest
lockout in force. The worker's own _caught_up and _flush_steps run on a real outbox (the
catch-up's answer: the decision and the lockouts risk lists now); the queue is a list."""
from __future__ import annotations

import datetime as dt
from types import MethodType, SimpleNamespace
from zoneinfo import ZoneInfo

from services.notify.app import NotifyWorker
from services.notify.donehold import DoneHold
from services.notify.lockedbuys import LockedBuys
from services.notify.outbox import Outbox
from services.notify.steps import StepHold
from services.notify.templates import Context
from shared.clock import to_ns
from shared.messages.risk import TIMER, Decision, LockoutState, LockSpec

CHI = ZoneInfo("America/Chicago")


def at(hh, mm, ss) -> int:
    return to_ns(dt.datetime(2026, 12, 5, hh, mm, ss, tzinfo=CHI))


NOW = at(18, 12, 0)
DECIDED = Decision(id="d7", ts_ns=at(18, 8, 49), rule="trade_frequency_limit",
                   account_id=1001, action="none", value=3, limit=3,
                   lock=LockSpec(kind=TIMER, until_ns=at(18, 9, 50)),
                   reason="3 of 3 trades per minute")


def lock_now(until_ns: int, rule: str = "trade_frequency_limit") -> LockoutState:
    return LockoutState(id="L2", account_id=1001, kind=TIMER, rule=rule,
                        since_ns=at(18, 8, 49), until_ns=until_ns)


def worker(tmp_path):
    queued = []
    outbox = Outbox(str(tmp_path / "notify.sqlite"))
    w = SimpleNamespace(outbox=outbox, locked_buys=LockedBuys(outbox), steps=StepHold(),
                        _behind={}, done_hold=DoneHold(), _backs={},
                        _late=set(), _late_results=set(), _held_rows={},
                        _waited={}, _claimed={}, _fills={}, _outcome_tries=0, _catch_up_tries=0, _locks_now=None, _locks={},
                        config=SimpleNamespace(bus=SimpleNamespace(control="")),
                        clock=SimpleNamespace(now_ns=lambda: NOW, monotonic=lambda: 100.0),
                        ctx_t=Context(tz=CHI, accounts={1001: "Demo 1"}),
                        after=lambda *a, **k: None, beside=lambda *a, **k: None,
                        queue=lambda alert, button=None, **kw: queued.append(alert.text))
    w._ctx = lambda: w.ctx_t
    for name in ("_take", "_build", "_hold", "_caught_up", "_flush_steps",
                 "_remember_waiting", "_remember_claimed", "_ask_outcomes", "_done_needs"):
        setattr(w, name, MethodType(getattr(NotifyWorker, name), w))
    return w, queued


def late_alert(tmp_path, locks) -> str:
    w, queued = worker(tmp_path)
    w._caught_up(at(18, 0, 0), [DECIDED], locks, None)
    w._flush_steps(everything=True)
    w.outbox.close()
    [text] = queued
    assert "sent late: riskd decided this at Sat 18:08:49 CST" in text, text
    return text


def test_a_late_alert_says_the_lockout_was_extended_since_and_until_when(tmp_path):
    text = late_alert(tmp_path, [lock_now(at(18, 23, 51))])
    assert ("locked until Sat 18:09:50 CST when decided; extended since: locked now until "
            "Sat 18:23:51 CST (trade_frequency_limit)") in text, text


def test_a_late_alert_whose_lockout_is_the_one_in_force_says_it_as_decided(tmp_path):
    text = late_alert(tmp_path, [lock_now(at(18, 9, 50))])
    assert "locked until Sat 18:09:50 CST\n" in text + "\n" and "when decided" not in text, text


def test_a_late_alert_whose_lockout_ended_says_none_is_in_force(tmp_path):
    text = late_alert(tmp_path, [])
    assert ("locked until Sat 18:09:50 CST when decided; no lockout of the account is in "
            "force now") in text, text


def test_lockouts_risk_could_not_list_leave_the_alert_as_decided(tmp_path):
    text = late_alert(tmp_path, None)
    assert "when decided" not in text and "locked until Sat 18:09:50 CST" in text, text


def test_a_longer_lockout_that_held_the_account_before_the_decision_is_not_said_extended(
        tmp_path):
    """Trial 2026-12-06: "locked until Sat 22:23:10 CST when decided; extended since: locked
    now until Mon 17:00 CST (drawdown_guard)" of a drawdown lockout that started before."""
    monday = to_ns(dt.datetime(2026, 12, 7, 17, 0, tzinfo=CHI))
    drawdown = LockoutState(id="L1", account_id=1001, kind="until_reset", rule="drawdown_guard",
                            since_ns=at(18, 1, 0), until_ns=monday)
    text = late_alert(tmp_path, [drawdown, lock_now(at(18, 9, 50))])
    assert ("locked until Sat 18:09:50 CST when decided; within a longer lockout already in "
            "force then: locked now until Mon 17:00 CST (drawdown_guard)") in text, text
    assert "extended" not in text, text


def test_a_longer_lockout_started_after_the_decision_is_said_extended(tmp_path):
    monday = to_ns(dt.datetime(2026, 12, 7, 17, 0, tzinfo=CHI))
    drawdown = LockoutState(id="L1", account_id=1001, kind="until_reset", rule="drawdown_guard",
                            since_ns=at(18, 10, 30), until_ns=monday)
    text = late_alert(tmp_path, [lock_now(at(18, 9, 50)), drawdown])
    assert ("locked until Sat 18:09:50 CST when decided; extended since: locked now until Mon "
            "17:00 CST (drawdown_guard)") in text, text
