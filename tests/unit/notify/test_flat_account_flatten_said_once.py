"""Task 22c-4: a flatten of a flat account (an admin's `riskctl flatten`, a self-lockout or an
admin lockout, which always send one: risk's book may miss what market has not delivered yet)
was alerted "action: flatten every position and cancel orders", then its outcome said "nothing
to do". It is said once: the one alert says nothing is open as riskd sees it (and that the
broker is checked too); the outcome that found nothing stays logged only, never sent. A flatten
of an account that holds something keeps its words."""
from __future__ import annotations

from services.notify.templates import LOG_ONLY, Context, build, result_alert
from shared.messages.enforce import DONE, CommandResult
from shared.messages.risk import Decision
from tests.unit.risk.desk import ACCOUNT, MNQ, SIDE_BUY, Desk

CTX = Context(accounts={ACCOUNT: "Demo 1"})
FLATTENS = "action: flatten every position and cancel orders"
NOTHING = ("action: nothing open to flatten as riskd sees it (the broker is checked too: if "
           "anything there is closed or cancelled, a Done alert says so)")


def desk(holding: bool) -> Desk:
    d = Desk()
    if holding:
        d.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price=21000)
        d.long(1, MNQ, 21000)
    return d


def admin_flatten(d: Desk):
    out = d.engine.on_result(CommandResult(command_id="ks1.1", account_id=ACCOUNT,
                                           status="accepted", action="flatten", rule="manual",
                                           reason="desk check", by="admin:root"), d.now)
    [decision] = out.decisions
    return decision


def self_lockout(d: Desk, admin: str = ""):
    out, refusal = d.engine.self_lock(ACCOUNT, d.now, session=True, admin=admin)
    assert not refusal
    [decision] = out.decisions
    return decision


def test_a_flat_accounts_flatten_alert_says_nothing_is_open():
    for decision in (admin_flatten(desk(False)), self_lockout(desk(False)),
                     self_lockout(desk(False), admin="admin:root")):
        lines = build(decision, CTX).lines
        assert NOTHING in lines and FLATTENS not in lines, (decision.rule, lines)


def test_an_account_holding_something_is_still_told_it_is_flattened():
    for decision in (admin_flatten(desk(True)), self_lockout(desk(True))):
        lines = build(decision, CTX).lines
        assert FLATTENS in lines and NOTHING not in lines, (decision.rule, lines)


def test_the_flatten_that_found_nothing_is_not_sent_again():
    found_nothing = CommandResult(command_id="ks1.1", account_id=ACCOUNT, status=DONE,
                                  action="flatten", rule="admin", first_answer_ns=0,
                                  detail="account Demo 1 was already flat")
    assert result_alert(found_nothing, CTX).kind in LOG_ONLY


FLAT_AT_BROKER = "✅ Nothing to close on Demo 2 (id 1002): already flat at the broker"


def test_a_flatten_riskd_announced_that_found_the_broker_flat_says_so(tmp_path):
    """Trial22c/small22c: risk's book showed MNQ long 1, the broker was flat (the trader's
    platform closed it first): the phone got "⚠️ Breach ... action: flatten every position",
    then nothing; the outcome ("nothing to do") was logged only. The trader read that riskd
    closed MNQ. Now the outcome of an action whose sent alert announced a close is sent, found
    flat too; one whose alert said nothing is open stays logged only (above). Notify's own
    _take and _flush_steps (tests/unit/notify/test_done_after_its_cause.Notify)."""
    from tests.unit.notify.test_done_after_its_cause import Notify, S
    for action, what, detail in (
            ("flatten", "flatten: close 1 position, cancel 0 orders",
             "account Demo 2 (id 1002) was already flat"),
            ("close_position", "close the MNQ position",
             "CON.F.US.MNQ.Z26 on account Demo 2 (id 1002) was already flat")):
        notify = Notify(tmp_path / action)
        notify.w._take(Decision(id="d9", ts_ns=50 * S, account_id=1002, action=action,
                                rule="daily_net_loss", contract_id=MNQ, what=what,
                                reason="net -610.00 reached the daily loss line -600.00"))
        notify.run(1.0)
        assert len(notify.phone) == 1 and "Breach" in notify.phone[0], notify.phone
        notify.w._take(CommandResult(command_id="d9.1", account_id=1002, status=DONE,
                                     action=action, rule="daily_net_loss", first_answer_ns=0,
                                     started_ns=51 * S, finished_ns=51 * S, detail=detail))
        notify.run(5.0)
        assert len(notify.phone) == 2, notify.phone
        assert notify.phone[1].startswith(FLAT_AT_BROKER), notify.phone[1]
        assert detail.replace(MNQ, "MNQ") in notify.phone[1], notify.phone[1]
