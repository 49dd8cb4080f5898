"""A locked account past max_contracts: the phone gets the lockout's close, not max_contracts's
reduce beside it (trial15c finding 10). `sim buy MNQ 3` on self-locked Demo 2 (strict,
max_contracts 2) gave 4 alerts per buy: "🔒 Lockout enforced ... close MNQ", "⚠️ Breach
max_contracts ... reduce MNQ by 1", "✅ Done" (closed) and "Nothing to do ... already flat" (the
reduce's, logged only). While lockout enforcement closes all of MNQ, the max_contracts breach
adds nothing. Risk still sends that reduce (decisions and enforcement unchanged) and marks it
(Decision.beside, tests/unit/risk/test_locked_burst_past_max_contracts.py); notify logs it and
its Done without sending them to a channel; history keeps both.

Risk's real decisions (shipped etc/riskd.toml, the engine of that risk test) go through the
notify worker's own _take and _flush_steps, on a real outbox and step hold; `queue` keeps what
the worker would send (kinds in LOG_ONLY go to the log only, as NotifyWorker.queue does).
"""
from __future__ import annotations

from services.notify.templates import LOG_ONLY
from shared.messages.enforce import DONE, CommandResult
from shared.messages.risk import CLOSE_POSITION
from tests.unit.notify.test_done_after_its_cause import Notify
from tests.unit.risk.test_locked_burst_past_max_contracts import STRICT, Run
from tests.unit.risk.desk import NS


def _one_buy_on_a_locked_account():
    r = Run()
    r.price(21000)
    out, _ = r.engine.self_lock(STRICT, r.now, until_ns=r.now + 3600 * NS)
    r.outs.append(out)
    r.answer(out.commands[0], "account 1002 was already flat: nothing to do")
    r.wait(1)
    since = len(r.outs)
    r.buy(3)
    decisions = [d for o in r.outs[since:] for d in o.decisions]
    commands = [c for o in r.outs[since:] for c in o.commands]
    return decisions, commands


def _result(cmd, detail, first_answer_ns):
    return CommandResult(command_id=cmd.id, account_id=STRICT, status=DONE, detail=detail,
                         attempts=1, started_ns=cmd.issued_ns, finished_ns=cmd.issued_ns + NS,
                         event_ns=cmd.issued_ns, first_answer_ns=first_answer_ns,
                         action=cmd.action, rule=cmd.rule)


def _notify(tmp_path):
    notify = Notify(tmp_path)
    notify.logged = []
    notify.w.ctx_t = notify.w.ctx_t.__class__(accounts={STRICT: "Demo 2 (strict)"})

    def queue(alert, button=None, release=(), **kw):
        notify.w.outbox.release(release)
        notify.logged.append(alert)
        if alert.kind not in LOG_ONLY:
            notify.phone.append(alert.text)
    notify.w.queue = queue
    return notify


def test_the_phone_gets_the_lockouts_close_and_its_done_only(tmp_path):
    """Fails on main's code: the max_contracts breach went to the phone beside the lockout's."""
    decisions, commands = _one_buy_on_a_locked_account()
    assert [(d.rule, d.action) for d in decisions] == \
        [("lockout", "close_position"), ("max_contracts", "reduce_position")], decisions
    close, reduce = commands                        # both sent, as before
    assert close.action == CLOSE_POSITION and reduce.rule == "max_contracts"
    notify = _notify(tmp_path)
    for d in decisions:
        notify.w._take(d)
    notify.run(0.5)
    notify.w._take(_result(close, "MNQ on account Demo 2 (strict, id 1002) closed: 3 "
                                  "contracts", first_answer_ns=close.issued_ns + NS))
    notify.w._take(_result(reduce, "MNQ on account 1002 is at 0 (target 2): nothing left to "
                                   "do", first_answer_ns=0))
    notify.run(3)
    titles = [t.splitlines()[0] for t in notify.phone]
    assert titles == [
        "🔒 Lockout enforced on Demo 2 (strict, id 1002): locked until Wed 17:00 UTC "
        "(self_lockout)",
        "✅ Done on Demo 2 (strict, id 1002)"], notify.phone
    assert not any("max_contracts" in t for t in notify.phone), notify.phone
    # logged all the same: the breach, with why it was not sent, and the reduce's outcome
    [beside] = [a for a in notify.logged if "max_contracts" in a.title]
    assert beside.title == "⚠️ Breach max_contracts on Demo 2 (strict, id 1002)", beside
    assert beside.lines[-1] == ("sent beside lockout enforcement's close of the whole "
                                "position, whose alert is the one sent (logged only)"), beside
    assert len(notify.logged) == 4, [a.title for a in notify.logged]
    notify.w.outbox.close()


def test_a_done_of_the_reduce_beside_the_close_is_logged_only(tmp_path):
    """The race the other way: the reduce cut first (Done, not 'nothing to do'); its Done
    is logged, the close's reaches the phone."""
    decisions, commands = _one_buy_on_a_locked_account()
    close, reduce = commands
    notify = _notify(tmp_path)
    for d in decisions:
        notify.w._take(d)
    notify.run(0.5)
    notify.w._take(_result(reduce, "reduced MNQ on account 1002 from 3 to 2 contracts",
                           first_answer_ns=reduce.issued_ns + NS))
    notify.w._take(_result(close, "MNQ on account Demo 2 (strict, id 1002) closed: 2 "
                                  "contracts", first_answer_ns=close.issued_ns + NS))
    notify.run(3)
    assert [t.splitlines()[0] for t in notify.phone][1:] == [
        "✅ Done on Demo 2 (strict, id 1002)"], notify.phone
    assert "closed: 2 contracts" in notify.phone[1]
    assert any("from 3 to 2" in a.text for a in notify.logged if a.kind in LOG_ONLY)
    notify.w.outbox.close()
