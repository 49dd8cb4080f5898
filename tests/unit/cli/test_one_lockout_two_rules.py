"""One lockout, two rules: trade_frequency_limit's cooldown extended by cooldown_after_loss reads
as one lockout, started by the first and extended by the second, on every screen.

trial20a section 4 (Demo 2, 02:15:48): the 3rd trade in a minute took trade_frequency_limit's
cooldown (its alert: "locked until 02:16:49 (trade_frequency_limit)"); two seconds later
cooldown_after_loss extended the account's one timer to 02:30:51. History said the rule's
lockout was "added by the rule ... extended to 02:30:51"; the rule's row said "at the limit:
no cooldown of its own, the account is locked already by cooldown_after_loss", and `riskctl
lockouts` and the COOLDOWN banner named cooldown_after_loss alone. Section 7: after an unlock,
cooldown_after_loss's history line lacked the "ended early at ... by an unlock" the other lines
of the same lockout had.

The lockouts come from risk's own book (services/risk/lockouts.py), as risk takes, extends and
clears them; the screens draw them as `status`, `watch`, `lockouts` and `history` do.
"""
from __future__ import annotations

import attrs

from cli.commands._risk_view import lockout_rows
from cli.watch.model import build_screen
from cli.watch.view import plain, render
from services.risk.lockouts import LockoutBook
from shared.clock import NS_PER_S
from shared.historywords import lockout_notes
from shared.messages.risk import TIMER, LockSpec
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, rule

PARAMS = {"per_minute": "3", "per_hour": "10", "per_session": "40", "per_minute_cooldown": "60",
          "per_hour_cooldown": "1800", "per_session_cooldown": "3600", "flatten": "false"}
TF, CAL = "trade_frequency_limit", "cooldown_after_loss"


def taken_then_extended():
    """The book after the trial's two steps: [its changes], the lockout in force."""
    ids = iter(f"L{n}" for n in range(1, 10))
    book = LockoutBook(lambda: next(ids))
    _, added = book.add(1001, LockSpec(kind=TIMER, until_ns=NOW + 61 * NS_PER_S), TF,
                        "3 trades this minute reached the limit of 3", NOW)
    _, extended = book.add(1001, LockSpec(kind=TIMER, until_ns=NOW + 900 * NS_PER_S), CAL,
                           "closing fill lost 216.07 (tier 200.00)", NOW + 2 * NS_PER_S)
    [lock] = book.all(1001)
    return book, [added, extended], lock


def screen_text(lock, width=200, height=None) -> str:
    from tests.unit.cli.screens import state
    count = attrs.evolve(rule(TF, 3, 3, 1.0, detail="3 of 3 trades per minute"), params=PARAMS)
    s = state(account(rules=[count], lockouts=[lock]))
    return plain(render(build_screen(s, NOW + 3 * NS_PER_S, CHICAGO, CALENDAR), width, height,
                        unicode=False))


def test_the_rule_row_says_its_cooldown_was_extended_not_that_it_took_none():
    _book, _changes, lock = taken_then_extended()
    assert (lock.rule, lock.took_over_rule) == (CAL, TF)       # one lockout, risk's book
    text = screen_text(lock)
    [row] = [ln for ln in text.splitlines() if ln.startswith(TF)]
    assert "no cooldown of its own" not in row, row
    assert ("3/3 per minute 100% (cooldown running, extended by cooldown_after_loss, until "
            "Wed 14:18:27 CST)") in row, row


def test_the_banner_and_lockouts_name_both_rules_of_the_one_lockout():
    _book, _changes, lock = taken_then_extended()
    for width, height in ((200, None), (80, 24)):
        text = " ".join(screen_text(lock, width, height).split())
        assert text.count("COOLDOWN") == 1, text
        assert "COOLDOWN" in text and \
            "cooldown_after_loss, extending trade_frequency_limit's cooldown" in text, text
    table = " ".join(lockout_rows([lock], tz=CHICAGO, now_ns=NOW + 3 * NS_PER_S).split())
    assert "cooldown_after_loss, extending trade_frequency_limit's cooldown" in table, table


def test_every_history_line_of_the_lockout_says_it_ended_early_by_the_unlock():
    book, changes, _lock = taken_then_extended()
    cleared = book.unlock(1001, None, NOW + 400 * NS_PER_S, "admin:root", "unlock")
    notes = lockout_notes([*changes, *cleared], CHICAGO, NOW + 500 * NS_PER_S)
    assert len(notes) == 3, notes
    assert all("ended early at Wed 14:10:07 CST by an unlock (admin:root)" in n
               for n in notes), notes
    # the extension on its own line (trial23c F6); the first line, whose end (14:04:28) came
    # before the unlock, says it was extended before it ended early (check25 item 7: it read
    # "timer 14:04:28, ended early at 14:10:07", an end earlier than "ended early")
    assert notes[0] == ("timer Wed 14:04:28 CST, then extended to Wed 14:18:27 CST and ended "
                        "early at Wed 14:10:07 CST by an unlock (admin:root)"), notes
    assert notes[1].startswith("timer Wed 14:18:27 CST, ended early at Wed 14:10:07"), notes


def test_a_lockout_line_says_the_extension_only_once_it_ended_after_its_own_end():
    """In force: no line says an extension that came later (trial23c F6); unlocked before the
    first end (14:04:28): that line's "ended early" is true as it is, with no extension said;
    the decision rows and the lockout's lines say one thing (historywords.extended_then)."""
    book, changes, _lock = taken_then_extended()
    notes = lockout_notes(changes, CHICAGO, NOW + 30 * NS_PER_S)
    assert notes[0] == "timer Wed 14:04:28 CST", notes
    early = book.unlock(1001, None, NOW + 30 * NS_PER_S, "admin:root", "unlock")
    notes = lockout_notes([*changes, *early], CHICAGO, NOW + 40 * NS_PER_S)
    assert notes[0] == ("timer Wed 14:04:28 CST, ended early at Wed 14:03:57 CST by an unlock "
                        "(admin:root)"), notes



def test_history_names_every_line_of_the_one_lockout_by_the_rule_that_started_it():
    """lastact20's leftover: history read 'trade_frequency_limit lockout / added by the rule'
    then 'cooldown_after_loss lockout / extended by the rule' (and its unlock under
    cooldown_after_loss): two lockouts to a reader, where the banner and `riskctl lockouts`
    said one. Now every line of it is 'trade_frequency_limit lockout', the extension 'extended
    by cooldown_after_loss'. Fails on main's code."""
    from shared.historywords import rows
    from shared.messages.risk import HistoryReply
    book, changes, _lock = taken_then_extended()
    cleared = book.unlock(1001, None, NOW + 400 * NS_PER_S, "admin:root", "unlock")
    got = [(r[2], r[3]) for r in rows(HistoryReply(lockouts=[*changes, *cleared]), None,
                                      CHICAGO)]
    assert got == [(f"{TF} lockout", "added by the rule"),
                   (f"{TF} lockout", f"extended by {CAL}"),
                   (f"{TF} lockout", "cleared by admin:root")], got
