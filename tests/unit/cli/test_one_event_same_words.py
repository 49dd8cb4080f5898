"""One event reads the same on every screen (shared/outcomewords.py). Fresh-user trial
2026-12-06: an admin flatten of an account already flat read "nothing to do" in `riskctl
flatten --all` and watch, "done: account 1002 was already flat" in history; watch's rule column
said "admin" and "lockout" where history said "admin:root" and "lockout enforcement".
The decisions are risk's own (its engine, tests/unit/risk/desk.py: who acted is risk's `by`);
enforcement's journal says the command found nothing to do (no trading call answered).
Put back (old cli/watch/model.py and shared/historywords.py): fails."""
from __future__ import annotations

from cli.commands.flatten import outcome_of
from cli.watch.model import build_screen
from shared.clock import NS_PER_S
from shared.historywords import decision_row
from shared.messages.enforce import CommandState, EnforcementStatus
from shared.messages.risk import Decision
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state
from tests.unit.cli.test_kill_switch_rows import CMD, admin_decisions, result
from tests.unit.risk.desk import ACCOUNT


def flat(cid: str) -> CommandState:
    """Enforcement's journal: done, no trading call answered (first_answer_ns 0)."""
    return CommandState(command_id=cid, account_id=ACCOUNT, action="flatten", state="final",
                        status="done", detail=f"account {ACCOUNT} was already flat",
                        received_ns=NOW, finished_ns=NOW + 30_000_000)


def watch_row(decision: Decision, outcome: CommandState) -> tuple[str, str]:
    s = state(account())
    s.apply(decision)
    s.apply(EnforcementStatus(commands=[outcome]))
    screen = build_screen(s, NOW + 40 * NS_PER_S, CHICAGO, CALENDAR)
    [row] = [a for acct in screen.accounts for a in acct.actions]
    return row.rule, row.outcome


def test_an_admin_flatten_of_a_flat_account_reads_the_same_in_flatten_watch_and_history():
    decision, = admin_decisions(result("accepted"))
    outcome = flat(CMD)
    who, word = watch_row(decision, outcome)
    _t, _a, history_who, history_what, *_ = decision_row(decision, {CMD: outcome})
    assert outcome_of(outcome) == word == "nothing to do"
    assert history_what == f"nothing to do: account {ACCOUNT} was already flat"
    assert who == history_who == "admin:root"


def test_lockout_enforcement_is_named_alike_in_watch_and_history():
    d = Decision(id="d1", ts_ns=NOW, rule="lockout", account_id=ACCOUNT, action="flatten",
                 by="lockout enforcement", what="flatten: close 1 position, cancel 0 orders")
    outcome = CommandState(command_id="d1.1", account_id=ACCOUNT, action="flatten",
                           state="final", status="done", first_answer_ns=NOW,
                           detail="flattened account 1001: close MNQ (verified flat)")
    who, word = watch_row(d, outcome)
    _t, _a, history_who, history_what, *_ = decision_row(d, {"d1.1": outcome})
    assert who == history_who == "lockout enforcement"
    assert word == "done" and history_what.startswith("done: ")
