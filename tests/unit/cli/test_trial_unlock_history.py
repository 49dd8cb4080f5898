"""History after an admin unlock (fresh-user trial 2026-12-05, finding 4): the line of the
decision that took the lockout still said 'locked timer until 03:23:23 CST', and the cleared
line 'timer 03:23:23 CST', with no sign the lockout ended early, when, or by whom."""
from __future__ import annotations

import datetime as dt

from cli.commands.history import rows
from shared.clock import NS_PER_S, to_ns
from shared.messages.risk import (Decision, HistoryReply, LockoutChange, LockoutState, LockSpec)
from tests.support.readat import reading_at
from tests.unit.cli.screens import CHICAGO

TOOK = to_ns(dt.datetime(2026, 12, 5, 2, 53, 23, tzinfo=CHICAGO))
END = TOOK + 1800 * NS_PER_S                    # Sat 03:23:23 CST
UNLOCKED = TOOK + 1200 * NS_PER_S               # Sat 03:13:23 CST


def history(cleared_at, by, reason="trial"):
    lock = LockoutState(id="L1", account_id=1001, kind="timer", rule="cooldown_after_loss",
                        since_ns=TOOK, until_ns=END, by="rule")
    d = Decision(id="d1", ts_ns=TOOK, rule="cooldown_after_loss", account_id=1001,
                 action="flatten", lock=LockSpec(kind="timer", until_ns=END))
    other = Decision(id="d2", ts_ns=TOOK, rule="cooldown_after_loss", account_id=1002,
                     action="flatten", lock=LockSpec(kind="timer", until_ns=END))
    return HistoryReply(decisions=[d, other], lockouts=[
        LockoutChange(change="added", lockout=lock, ts_ns=TOOK),
        LockoutChange(change="cleared", lockout=lock, ts_ns=cleared_at, by=by, reason=reason)])


def notes(body):
    return {(r[1], r[3].split(" by ")[0]): r[-1] for r in rows(body, None, CHICAGO)}


def test_an_unlock_says_on_both_lines_that_the_lockout_ended_early_when_and_by_whom(monkeypatch):
    reading_at(monkeypatch, UNLOCKED)   # history read that night: from 2026-12-12 on, dated
    got = notes(history(UNLOCKED, "admin:root"))
    early = ", ended early at Sat 03:13:23 CST by an unlock (admin:root)"
    assert got[(1001, "cleared")] == "timer Sat 03:23:23 CST" + early
    decided = [v for (aid, what), v in got.items() if aid == 1001 and what.startswith("flatten")]
    assert decided == ["locked until Sat 03:23:23 CST (timer)" + early]
    assert got[(1002, "flatten")] == "locked until Sat 03:23:23 CST (timer)"   # another account's
    assert "ended early" not in got[(1001, "added")]


def test_an_admins_clear_reads_as_the_admin_clearing_that_rules_lockout():
    """Fresh-user trial 2026-12-06: "lockout by admin:root: daily_net_loss cleared" did not
    read as an admin clearing the daily_net_loss lockout."""
    got = [(r[2], r[3]) for r in rows(history(UNLOCKED, "admin:root"), None, CHICAGO)
           if r[2].endswith(" lockout")]
    assert got == [("cooldown_after_loss lockout", "added by the rule"),
                   ("cooldown_after_loss lockout", "cleared by admin:root")], got


def test_a_lockout_that_ran_its_time_says_nothing_more():
    got = notes(history(END, "clock", "its time is up"))
    assert not any("ended early" in v for v in got.values()), got


def test_a_lockout_extended_then_unlocked_says_its_end_then_and_the_unlock_on_each_line(
        monkeypatch):
    """Fresh-user trial 17g, finding 7: a self-lockout to Mon 17:00 extended to Tue, then
    unlocked: the lockout's first line said "self-lockout Mon 17:00 CST, extended to Tue
    18:42:27 CST" (never that it ended early). trial23c F6: a line says what was true at its
    event, the extension on its own line: the decision's line and the lockout's first say the
    end they had then, and each that the unlock ended it early."""
    reading_at(monkeypatch, UNLOCKED)   # history read that night (tests/support/readat.py)
    longer = END + 3600 * NS_PER_S                  # Sat 04:23:23 CST
    lock = LockoutState(id="L1", account_id=1001, kind="timer", rule="self_lockout",
                        since_ns=TOOK, until_ns=END, by="trader")
    ext = LockoutState(id="L1", account_id=1001, kind="timer", rule="self_lockout",
                       since_ns=TOOK, until_ns=longer, by="trader")
    d = Decision(id="d1", ts_ns=TOOK, rule="self_lockout", account_id=1001,
                 action="flatten", lock=LockSpec(kind="timer", until_ns=END), by="trader")
    body = HistoryReply(decisions=[d], lockouts=[
        LockoutChange(change="added", lockout=lock, ts_ns=TOOK, by="trader"),
        LockoutChange(change="extended", lockout=ext, ts_ns=TOOK + NS_PER_S, by="trader"),
        LockoutChange(change="cleared", lockout=ext, ts_ns=UNLOCKED, by="admin:root")])
    got = [r[-1] for r in rows(body, None, CHICAGO)]
    early = ", ended early at Sat 03:13:23 CST by an unlock (admin:root)"
    assert got[0].endswith("Sat 03:23:23 CST (self-lockout)" + early), got      # the decision
    assert got[1] == "self-lockout Sat 03:23:23 CST" + early, got
    assert got[2] == "self-lockout Sat 04:23:23 CST" + early, got              # the extension


def test_a_symbol_blocks_lockout_row_says_what_ends_it():
    """Trial 17g, finding 6: its history rows ended in "manual -"."""
    lock = LockoutState(id="L2", account_id=1001, kind="manual", rule="symbol_blocks",
                        since_ns=TOOK, symbol="CL", clears_on="symbol_blocks")
    body = HistoryReply(decisions=[], lockouts=[
        LockoutChange(change="added", lockout=lock, ts_ns=TOOK),
        LockoutChange(change="cleared", lockout=lock, ts_ns=UNLOCKED, by="admin:root")])
    got = [r[-1] for r in rows(body, None, CHICAGO)]
    listed = ("manual while CL is listed in symbol_blocks (an admin's unlock does not free "
              "it: CL's next trade is closed and CL locked again)")
    assert got == [listed, listed], got
