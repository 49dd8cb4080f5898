"""A decision whose flatten waited on another one under way but whose lockout was taken says
so (trial13a: a cooldown_after_loss breach whose lockout was extended to 07:14:56 read "not
acted on: daily_realized_loss's flatten ... was already under way", as if no lock was
applied)."""
from __future__ import annotations

import re

from cli.commands.history import rows
from shared.clock import NS_PER_S
from shared.messages.enforce import CommandState
from shared.messages.risk import LOCKED_ALREADY, Decision, HistoryReply, LockSpec
from tests.unit.cli.screens import CHICAGO, NOW

FIRST = Decision(id="a1", ts_ns=NOW, rule="daily_realized_loss", account_id=1002,
                 action="flatten", reason="realized -311.94 <= -300",
                 what="flatten: close 1 position")
DONE = CommandState(command_id="a1.1", account_id=1002, action="flatten", state="final",
                    status="done", detail="flattened account 1002: close MNQ",
                    first_answer_ns=NOW + 10_000_000, finished_ns=NOW + 50_000_000)


def cooldown(**kw) -> Decision:
    return Decision(id="b2", ts_ns=NOW + NS_PER_S // 10, rule="cooldown_after_loss",
                    account_id=1002, action="flatten", reason="closing fill lost 305.52",
                    lock=LockSpec(kind="timer", until_ns=NOW + 1800 * NS_PER_S),
                    what="flatten not sent: already in flight, by decision a1 "
                         "(daily_realized_loss); lock the account (timer)", **kw)


def test_a_lockout_taken_beside_a_flatten_under_way_is_said_as_taken():
    d = cooldown(suppressed="the same action is in flight (a1.1)")
    [_, row] = rows(HistoryReply(decisions=[FIRST, d]), {"a1.1": DONE}, CHICAGO)
    note = row[6]
    assert not note.startswith("not acted on"), note
    assert re.fullmatch(r"lockout applied: locked until [^;]*14:33:27 CST \(timer\); only the "
                        r"flatten was not sent again: daily_realized_loss's flatten of "
                        r"[^,]*14:03:27 CST was already under way \(it then completed\)",
                        note), note


def test_a_breach_under_a_lockout_in_force_still_reads_not_acted_on():
    d = cooldown(suppressed=f"{LOCKED_ALREADY}: daily_realized_loss's lockout until the roll")
    [_, row] = rows(HistoryReply(decisions=[FIRST, d]), {"a1.1": DONE}, CHICAGO)
    assert row[6].startswith(f"not acted on: {LOCKED_ALREADY}"), row[6]


def test_a_row_whose_what_says_why_it_was_not_sent_does_not_say_it_again():
    """trial17b: "what: flatten not sent: locked already, no new action: ..." beside "note: not
    acted on: locked already, no new action: ...", the same words twice in one entry."""
    why = f"{LOCKED_ALREADY}: daily_realized_loss's lockout until the roll"
    d = Decision(id="c3", ts_ns=NOW + NS_PER_S, rule="daily_net_loss", account_id=1002,
                 action="flatten", reason="net -612.00 <= -600", suppressed=why,
                 what=f"flatten not sent: {why}")
    [_, row] = rows(HistoryReply(decisions=[FIRST, d]), {"a1.1": DONE}, CHICAGO)
    assert row[3] == f"flatten not sent: {why}", row[3]
    assert row[6] == "not acted on", row[6]
