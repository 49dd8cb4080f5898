"""The start-up catch-up's pieces: what notify remembers of itself and of the decisions it
took (notify.sqlite), the window it asks risk for, and the outcomes of the late decisions'
commands it alerts (services/notify/catchup.py)."""
from __future__ import annotations

from services.notify import catchup
from services.notify.outbox import Outbox
from shared.messages.enforce import DONE, FAILED, CommandState, EnforcementStatus
from shared.messages.risk import Decision
from shared.messages.system import error, ok

S = 10**9


def test_the_outbox_remembers_when_notify_ran_and_which_decisions_it_took(tmp_path):
    box = Outbox(str(tmp_path / "notify.sqlite"))
    assert box.last_alive() is None                      # a first run: nothing to catch up
    box.alive(100 * S)
    box.alive(102 * S)
    assert box.decided("d1") is False
    box.mark_decided("d1", 102 * S)
    box.mark_decided("d1", 103 * S)                      # twice: still one
    box.close()
    again = Outbox(str(tmp_path / "notify.sqlite"))      # the next run reads them back
    assert again.last_alive() == 102 * S
    assert again.decided("d1") and not again.decided("d2")
    again.mark_decided("d2", 103 * S + catchup.MAX_BACK_NS * 4)     # the old ones go
    assert not again.decided("d1") and again.decided("d2")
    again.close()


def test_the_window_starts_before_the_last_sign_of_life_and_at_most_a_day_back():
    now = 10 * catchup.MAX_BACK_NS
    assert catchup.window_start(None, now) is None
    assert catchup.window_start(now - 20 * S, now) == now - 20 * S - int(
        (catchup.ALIVE_EVERY_S + 1) * S)
    assert catchup.window_start(0, now) == now - catchup.MAX_BACK_NS


def test_the_outbox_remembers_which_outcomes_it_took(tmp_path):
    box = Outbox(str(tmp_path / "notify.sqlite"))
    assert box.resulted("d1.1") is False
    box.mark_resulted("d1.1", 102 * S)
    box.mark_resulted("d1.1", 103 * S)                   # twice: still one
    box.close()
    again = Outbox(str(tmp_path / "notify.sqlite"))      # the next run reads it back
    assert again.resulted("d1.1") and not again.resulted("d2.1")
    again.close()


def _decision(did: str, ts: int, **kw) -> Decision:
    return Decision(id=did, ts_ns=ts, rule="daily_unrealized_loss", account_id=1012,
                    action="close_position", contract_id="ES", **kw)


def _final(cid: str, status: str = DONE) -> CommandState:
    return CommandState(command_id=cid, account_id=1012, action="close_position",
                        state="final", status=status, detail="ES on account BRAVO closed",
                        attempts=1, received_ns=5 * S, finished_ns=6 * S, event_ns=4 * S,
                        first_answer_ns=6 * S)


def test_only_final_outcomes_are_alerted_as_the_live_result_would_be():
    closed, failed, running = (_decision(d, 10 * S) for d in ("d1", "d2", "d3"))
    alerted = _decision("d4", 10 * S, mode="alert")       # no command was sent
    reply = ok(EnforcementStatus(commands=[
        _final("d1.1"), _final("d2.1", FAILED),
        CommandState(command_id="d3.1", account_id=1012, action="close_position",
                     state="running")]))
    got = catchup.final_outcomes(reply, [closed, failed, running, alerted])
    assert [(r.command_id, r.status) for r in got] == [("d1.1", DONE), ("d2.1", FAILED)]
    r = got[0]
    assert (r.account_id, r.detail, r.attempts, r.started_ns, r.finished_ns, r.event_ns,
            r.first_answer_ns, r.action, r.rule) == (
        1012, "ES on account BRAVO closed", 1, 5 * S, 6 * S, 4 * S, 6 * S, "close_position",
        "daily_unrealized_loss")


def test_while_enforcement_is_down_the_outcomes_the_supervisor_saw_and_no_pending_one():
    seen, waiting = _decision("d1", 10 * S), _decision("d2", 11 * S)
    reply = error("unreachable", "enforcement is stopped",
                  EnforcementStatus(commands=[_final("d1.1")], known_since_ns=1 * S))
    got = catchup.final_outcomes(reply, [seen, waiting])  # d2 waits: not alerted as done
    assert [r.command_id for r in got] == ["d1.1"]
    assert catchup.final_outcomes(error("timeout", "no answer"), [seen]) == []
