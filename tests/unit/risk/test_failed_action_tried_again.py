"""A failed action whose reason still holds is tried again (RULES.md: actions are never dropped).

Trial 2026-12-06 (on main): Demo 2 locked until the roll; the sim failed every closeContract;
the trader bought MNQ 1. Enforcement gave up on the lockout's close after its 4 rounds and said
so; then the sim answered again, and nothing happened: the lockout acts only on the position's
events, risk dropped the failed command, and MNQ long 1 stayed open on the locked account.

Here the shipped rules (etc/riskd.toml) on risk's engine with its injected clock: the failed
close is tried again as a new command of the same decision (id `<decision>.2`, then `.3`),
after 5 s, then 15 s, then 30 s, then every 60 s; the retry waits in the outbox until its time
and is in flight for the rules meanwhile; one FAILED alert (risk's notice) per failed action,
"still failing" at most every 5 minutes, "Done ... on the 3rd attempt" at the end; the status
carries the failure until it is resolved. It stops when the position is flat (closed by the
trader), when an admin unlocks, when the lockout ends.
"""
from __future__ import annotations

from decimal import Decimal

from shared.messages.enforce import CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate, Quote)
from services.risk.store import Store
from services.risk.views import account_status
from tests.unit.risk.desk import MNQ, NS, shipped_engine
from tests.unit.risk.engine_run import ACCOUNT, LOADED, WEDNESDAY, EngineRun, gave_up

HTTP_500 = gave_up(500)


class Run(EngineRun):
    """A trader who locked the account for the session (the flatten found nothing open)."""

    def __init__(self):
        super().__init__()
        out, why = self.engine.self_lock(ACCOUNT, self.now, session=True, reason="done today")
        assert not why
        self.outs.append(out)
        (flatten,) = out.commands
        self.result(flatten, "done", detail="nothing open")

    def buy_mnq(self):
        self.on(Fill(account_id=ACCOUNT, trade_id=77, contract_id=MNQ, ts_ns=self.now,
                     price=Decimal("21000"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                     size=1))
        self.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                               ts_ns=self.now, type=POSITION_LONG, size=1,
                               average_price=Decimal("21000")))
        (close,) = self.sent()
        assert close.action == "close_position" and close.contract_id == MNQ
        return close

    def flat(self):
        return self.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                                      ts_ns=self.now, type=0, size=0, average_price=Decimal(0)))



def test_the_lockouts_failed_close_is_tried_again_until_done():
    run = Run()
    close = run.buy_mnq()
    assert close.id.endswith(".1")
    mark = len(run.outs)
    run.result(close, "failed", detail="close_position gave up after 4 rounds", attempts=4)
    (alert,) = run.notices(mark)
    assert alert.severity == "critical" and alert.account_id == ACCOUNT
    assert "Enforcement FAILED" in alert.title and "act now" in alert.title
    text = "\n".join(alert.lines)
    assert "close MNQ long 1 on" in text
    assert "gave up after 4 calls over 2.1 s: HTTP 500 from the broker" in text
    assert "riskd tries again at" in text and "(in 5 s)" in text
    (f,) = run.failing()
    assert f.still == "MNQ long 1 still open on a locked account"
    assert f.next_ns == run.now + 5 * NS and f.every_s == 5
    assert run.sent() == []                       # not at once: after the backoff

    # meanwhile a quote or another event decides nothing new beside the waiting try
    run.on(Quote(contract_id=MNQ, ts_ns=run.now, last=Decimal("20990")))
    run.wait(4.9)
    assert run.sent() == []
    run.wait(0.1)
    (second,) = run.sent()
    assert second.id == f"{close.decision_id}.2" and second.action == "close_position"
    assert second.contract_id == MNQ and second.attempt == 1
    assert run.failing()[0].next_ns is None          # on its way

    mark = len(run.outs)
    run.result(second, "failed", attempts=4)
    assert run.notices(mark) == []                   # one alert per failed action
    run.wait(14.9)
    assert run.sent() == []
    run.wait(0.1)
    (third,) = run.sent()
    assert third.id == f"{close.decision_id}.3"

    mark = len(run.outs)
    run.result(third, "done", detail="closed MNQ long 1")
    (done,) = run.notices(mark)
    assert done.title.startswith("✅ Done on")
    assert "close MNQ long 1 on the 3rd attempt" in done.title
    assert "after the first failure" in done.title
    assert run.failing() == []
    run.flat()
    run.wait(120)
    assert run.sent() == []


def test_the_backoff_goes_to_every_60_s_and_still_failing_is_said_every_5_minutes():
    run = Run()
    cmd = run.buy_mnq()
    waits = []
    mark = len(run.outs)
    for _ in range(12):
        run.result(cmd, "failed", attempts=4)
        waits.append((run.failing()[0].next_ns - run.now) // NS)
        run.wait(waits[-1])
        (cmd,) = run.sent()
    assert waits[:5] == [5, 15, 30, 60, 60]
    notices = run.notices(mark)
    # 5+15+30+60*9 = 590 s of failures: the first alert, then "still failing" after 5 min
    assert [("still" in n.title) for n in notices] == [False, True]


def test_no_retry_once_the_trader_closed_it():
    run = Run()
    run.result(run.buy_mnq(), "failed", attempts=4)
    assert run.failing()
    run.wait(2)
    run.flat()                                       # closed on the firm's platform
    out = run.wait(0.1)
    assert run.failing() == []
    assert out.finished                              # the waiting try left the store too
    run.wait(120)
    assert run.sent() == []


def test_no_retry_once_an_admin_unlocked():
    run = Run()
    run.result(run.buy_mnq(), "failed", attempts=4)
    run.wait(1)
    out, why = run.engine.unlock(ACCOUNT, None, "admin:ana", "checked", run.now)
    assert not why
    run.wait(0.1)
    assert run.failing() == []
    run.wait(120)
    assert run.sent() == []


def test_a_failure_after_the_position_closed_is_not_tried_again():
    run = Run()
    close = run.buy_mnq()
    run.flat()
    mark = len(run.outs)
    run.result(close, "failed", attempts=4)
    (alert,) = run.notices(mark)
    assert "riskd does not try again: MNQ is flat now" in "\n".join(alert.lines)
    assert run.failing() == []
    run.wait(60)
    assert run.sent() == []


def test_the_waiting_try_survives_a_restart_of_risk(tmp_path):
    """The next try waits in the outbox, which the store keeps: a restarted risk sends it at
    once (as every command it reloads), under its own id (enforcement runs an id once), and
    goes on with the same failing action (its line on the screens, no second FAILED alert)."""
    run = Run()
    close = run.buy_mnq()
    run.result(close, "failed", attempts=4)
    store, _ = Store.open(str(tmp_path))
    for out in run.outs:
        store.commit(out, run.engine)
    store.close()
    again = shipped_engine(LOADED, run.now + NS, prefix="b")
    store, _ = Store.open(str(tmp_path))
    store.load(again, run.now + NS)
    now = run.now + NS
    [retry] = again.outbox.due(now)
    assert retry.id == f"{close.decision_id}.2" and retry.action == "close_position"
    assert again.inflight[(ACCOUNT, "close_position", MNQ, None)] == retry.id
    # still failing for the screens; not "flat" before market's snapshot shows the account
    again.tick(now + NS // 10)
    [f] = account_status(again, ACCOUNT, now).failing
    assert f.failures == 1 and f.next_ns is None
    snap = MarketSnapshot(seq=1, epoch=1, complete=True, accounts=[AccountUpdate(
        account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000), can_trade=True)],
        positions=[PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                                  ts_ns=WEDNESDAY, type=POSITION_LONG, size=1,
                                  average_price=Decimal("21000"))], orders=[], fills=[],
        quotes=[])
    again.apply_snapshot(snap, now)
    out = again.on_result(CommandResult(
        command_id=retry.id, account_id=ACCOUNT, status="failed", attempts=4,
        started_ns=now, finished_ns=now + 2 * NS, action=retry.action, rule=retry.rule,
        errors=[HTTP_500]), now + 2 * NS)
    assert out.notices == []                 # the same failing action: no second FAILED alert
    [third] = out.commands
    assert third.id == f"{close.decision_id}.3"
    [f] = account_status(again, ACCOUNT, now).failing
    assert f.still == "MNQ long 1 still open on a locked account" and f.failures == 2
    store.close()


def test_a_re_send_for_a_restarted_enforcement_does_not_make_the_try_early():
    run = Run()
    run.result(run.buy_mnq(), "failed", attempts=4)
    run.wait(1)
    run.engine.outbox.resend_all(run.now)      # enforcement restarted, or its SUB rejoined
    assert run.sent() == []
    run.wait(4)
    assert len(run.sent()) == 1
