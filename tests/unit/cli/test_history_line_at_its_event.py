"""Each line of `riskctl history` says what was true at its event (trial23c F6).

Demo 1's trade_frequency_limit cooldown: added at 11:44:50 (to 12:14:51), extended at 11:45:00
(to 12:15:01) and at 11:45:34 (to 12:15:33). History read
"timer Mon 12:15:01 CST, extended to Mon 12:15:33 CST" on the line of 11:45:00, as if that
extension had come then (the countdown "(in ...)" from when history is read:
test_small_truths.py). Now each line has the end it had then; the extension of 11:45:34 is on
its own line."""
from __future__ import annotations

import datetime as dt

import attrs

from cli.commands.history import rows
from shared.clock import to_ns
from shared.messages.risk import Decision, HistoryReply, LockoutChange, LockoutState, LockSpec
from tests.support.readat import reading_at
from tests.unit.cli.screens import CHICAGO


def at(h, m, s):
    return to_ns(dt.datetime(2026, 12, 7, h, m, s, tzinfo=CHICAGO))


def test_each_line_of_the_trials_cooldown_says_the_end_it_had_then(monkeypatch):
    reading_at(monkeypatch, at(11, 46, 0))  # history read that day: from 2026-12-14 on, dated
    first = LockoutState(id="L1", account_id=1001, kind="timer", rule="trade_frequency_limit",
                         since_ns=at(11, 44, 50), until_ns=at(12, 14, 51))
    changes = [LockoutChange(change="added", lockout=first, ts_ns=at(11, 44, 50)),
               LockoutChange(change="extended", ts_ns=at(11, 45, 0),
                             lockout=attrs.evolve(first, until_ns=at(12, 15, 1))),
               LockoutChange(change="extended", ts_ns=at(11, 45, 34),
                             lockout=attrs.evolve(first, until_ns=at(12, 15, 33)))]
    breach = Decision(id="d1", ts_ns=at(11, 44, 50), rule="trade_frequency_limit",
                      account_id=1001, action="none",
                      lock=LockSpec(kind="timer", until_ns=at(12, 14, 51)))
    got = [(r[3], r[-1]) for r in rows(HistoryReply(decisions=[breach], lockouts=changes),
                                       None, CHICAGO)]
    assert got[0][1] == "locked until Mon 12:14:51 CST (timer)", got     # the breach's line
    assert got[1:] == [("added by the rule", "timer Mon 12:14:51 CST"),
                       ("extended by the rule", "timer Mon 12:15:01 CST"),
                       ("extended by the rule", "timer Mon 12:15:33 CST")], got
