"""User trial finding 3: one instant, one second, wherever it is shown.

The self-lockout's audit line said `until=03:13:14 CST` while the answer echoed `you asked
until Sat 03:13:15 CST` (the audit screen cut an end, the answer rounded it up), and a refusal said
`a timer lockout since 03:03:15 CST` while history had it added at 03:03:14 (a start rounded up
like an end). The rule (shared/showtime.py): ends round up, starts and past moments are cut.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from cli.commands.audit import what_of
from cli.health import config_note
from services.risk.words import self_lock_answer
from shared.lockwords import SELF_LOCKOUT as SELF_LOCK
from shared import showtime
from shared.clock import NS_PER_S, to_ns
from tests.support.readat import reading_at
from tests.unit.risk.desk import CHI, Desk

CST = ZoneInfo("America/Chicago")
HALF = NS_PER_S // 2


def test_an_end_and_a_start_of_the_same_fraction_of_a_second():
    ns = to_ns(dt.datetime(2026, 12, 5, 3, 13, 14, tzinfo=CST)) + HALF
    assert showtime.at(ns, CST, ns) == "Sat 03:13:15 CST"            # an end: never early
    assert showtime.iso(ns, CST) == "2026-12-05T03:13:15-06:00"
    assert showtime.start(ns, CST, ns) == "Sat 03:13:14 CST"         # a start: the second it was
    assert showtime.at(ns, CST, ns, seconds=True) == "Sat 03:13:14 CST"   # as history's column
    whole = to_ns(dt.datetime(2026, 12, 5, 3, 13, tzinfo=CST))
    # a moment at :00 keeps its seconds (trial15a: "down 14s (since Sun 11:45 CST)" beside
    # "since Sun 12:00:31 CST" in the same alert another time; docs/alerts.md: the second)
    assert showtime.start(whole, CST, whole) == "Sat 03:13:00 CST"


def test_the_audit_screen_shows_a_lockouts_end_as_its_answer_did(monkeypatch):
    until = to_ns(dt.datetime(2026, 12, 5, 3, 13, 14, tzinfo=CST)) + HALF
    reading_at(monkeypatch, until)      # the audit read that night: from 2026-12-12 on, dated
    shown = what_of({"account": 7, "until_ns": until}, CST)
    assert shown.endswith(f"until={showtime.at(until, CST, until)}"), shown
    assert "until=Sat 03:13:15 CST" in shown


def test_a_refusal_names_the_second_history_shows_for_the_lockouts_start():
    desk = Desk()
    desk.now += HALF                      # the first lockout starts half way through a second
    out, _ = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 3600 * NS_PER_S)
    [lock] = desk.engine.lockouts.all(1001)
    asked = desk.now + 60 * NS_PER_S
    out, _ = desk.engine.self_lock(1001, desk.now, until_ns=asked)
    [d] = [d for d in out.decisions if d.rule == SELF_LOCK]
    text = self_lock_answer(d, desk.engine.lockouts.all(1001),        # as risk answers it
                            desk.engine.calendar.next_roll(desk.now), CHI, desk.now, asked)
    assert showtime.at(lock.since_ns, CHI, desk.now, seconds=True) == "Wed 09:00:00 CST"  # history
    assert "(self-lockout) since Wed 09:00:00 CST" in text, text         # the same second, not :01


def test_invalid_since_is_a_moment_and_is_cut():
    from types import SimpleNamespace
    t = to_ns(dt.datetime(2026, 12, 5, 3, 3, 14, tzinfo=CST)) + HALF
    note = config_note(SimpleNamespace(invalid_since_ns=t, loaded_ns=t, path="/x/riskd.toml",
                                       problem="bad"), CST, t)
    assert "invalid since Sat 03:03:14 CST" in note and "loaded at Sat 03:03:14 CST" in note, note
