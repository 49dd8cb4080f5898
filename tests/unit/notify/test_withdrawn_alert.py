"""A command risk withdrew before it ran (the lockout ended by an admin, the account no longer
guarded: services/risk/withdraw.py) is one line on the phone, neither "Done" nor "FAILED"
(trial 2026-12-06: "✅ Done on Demo 1 / flattened account Demo 1" after the unlock)."""
from __future__ import annotations

from services.notify.templates import Context, result_alert
from shared.messages.enforce import WITHDRAWN, CommandResult


def test_withdrawn_is_one_line_neither_done_nor_failed():
    res = CommandResult(command_id="d7.1", account_id=1001, status=WITHDRAWN,
                        detail="withdrawn: flatten (MNQ long 1) was not carried out: "
                               "the lockout ended (admin:root)",
                        action="flatten", rule="self_lock", finished_ns=1)
    alert = result_alert(res, Context(accounts={1001: "Demo 1"}, market_waited={"d7.1": 0}))
    assert alert.kind == "action_withdrawn" and alert.severity == "info"
    assert alert.title == ("↩️ Withdrawn on Demo 1 (id 1001): flatten (MNQ long 1) was not carried out: "
                           "the lockout ended (admin:root)")
    assert alert.lines == ()
    assert alert.account_id == 1001


def test_history_says_withdrawn_once_not_failed():
    from shared.historywords import became_of, outcome_text
    from shared.messages.enforce import CommandState
    state = CommandState(command_id="d7.1", account_id=1001, action="flatten", state="final",
                         status=WITHDRAWN, detail="withdrawn: flatten (MNQ long 1) was not "
                         "carried out: the lockout ended (admin:root)")
    assert outcome_text(state) == ("withdrawn: flatten (MNQ long 1) was not carried out: "
                                   "the lockout ended (admin:root)")
    assert became_of(state) == "it was then withdrawn before it ran"
