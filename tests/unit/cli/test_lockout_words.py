"""A lockout's kind in words on every screen and alert (fresh-user trial 2026-12-05): `riskctl
lockouts` KIND read until_reset, until_session, timer, self_lockout; history "locked
until_reset until Mon 17:00 CST"; an alert "account Demo 1 locked (until_reset) by
daily_net_loss". One mapping (shared/lockwords.py); --json keeps the codes."""
from __future__ import annotations

import datetime as dt
import json

from cli.commands._risk_view import lockout_rows
from cli.commands.history import rows
from services.risk.lockouts import describe
from shared.clock import NS_PER_S, to_ns
from shared.messages.risk import Decision, HistoryReply, LockoutState, LockSpec
from tests.support.readat import reading_at
from tests.unit.cli.screens import CHICAGO

TOOK = to_ns(dt.datetime(2026, 12, 5, 9, 0, tzinfo=CHICAGO))          # Sat 09:00 CST
ROLL = to_ns(dt.datetime(2026, 12, 7, 17, 0, tzinfo=CHICAGO))         # Mon 17:00 CST
CODES = ("until_reset", "until_session", "self_lockout")


def lock(kind, rule, until_ns=None, **extra):
    return LockoutState(id=f"L-{rule}", account_id=1001, kind=kind, rule=rule, since_ns=TOOK,
                        until_ns=until_ns, **extra)


def test_the_lockouts_table_names_each_kind_in_words(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")    # a wide terminal: one line a lockout
    table = lockout_rows([lock("until_reset", "daily_net_loss", ROLL),
                          lock("until_session", "session_block_outside"),
                          lock("timer", "cooldown_after_loss", TOOK + 300 * NS_PER_S),
                          lock("timer", "self_lockout", TOOK + 3600 * NS_PER_S, by="trader")],
                         tz=CHICAGO)
    by_rule = {r: line for line in table.splitlines()[1:]
               for r in ("daily_net_loss", "session_block_outside", "cooldown_after_loss",
                         "trader") if r in line}
    assert "until the roll" in by_rule["daily_net_loss"], table
    assert "until the session" in by_rule["session_block_outside"], table
    assert "until the next session" in by_rule["session_block_outside"], table   # its UNTIL
    assert " timer " in by_rule["cooldown_after_loss"], table
    assert "self-lockout" in by_rule["trader"], table
    header, body = table.splitlines()[0], "\n".join(table.splitlines()[1:])
    for code in ("until_reset", "until_session"):
        assert code not in body, (code, table)
    assert "KIND" in header


def test_history_says_until_the_roll_not_the_code(monkeypatch):
    reading_at(monkeypatch, TOOK)       # history read that day: from 2026-12-14 on, dated
    d = Decision(id="d1", ts_ns=TOOK, rule="daily_net_loss", account_id=1001, action="flatten",
                 lock=LockSpec(kind="until_reset", until_ns=ROLL))
    [row] = rows(HistoryReply(decisions=[d]), None, CHICAGO)
    assert row[-1] == "locked until the roll at Mon 17:00 CST", row
    timer = Decision(id="d2", ts_ns=TOOK, rule="cooldown_after_loss", account_id=1001,
                     action="flatten", lock=LockSpec(kind="timer", until_ns=ROLL))
    [row] = rows(HistoryReply(decisions=[timer]), None, CHICAGO)
    assert row[-1] == "locked until Mon 17:00 CST (timer)", row


def test_the_alerts_lockout_sentence_says_the_kind_in_words():
    # risk's sentence goes into a decision's reason: the alert and history show it
    text = describe(lock("until_reset", "daily_net_loss"), "Demo 1")
    assert text == "account Demo 1 locked until the roll by daily_net_loss"
    text = describe(lock("timer", "cooldown_after_loss", symbol="CON.F.US.MNQ.Z26"), "Demo 1")
    assert text == "CON.F.US.MNQ.Z26 on account Demo 1 locked (timer) by cooldown_after_loss"
    # the trader's own, said once (trial14b: "locked (self-lockout) by self_lockout")
    text = describe(lock("timer", "self_lockout"), "Demo 1")
    assert text == "account Demo 1 locked (self-lockout) by the trader", text


def test_json_keeps_the_codes():
    from cli.context import to_jsonable
    doc = json.dumps(to_jsonable({"lockouts": [lock("until_reset", "daily_net_loss", ROLL)]}))
    assert '"until_reset"' in doc


def test_the_phones_lockout_line_says_how_a_lockout_without_a_time_ends():
    """The Telegram /status line said "until an admin unlocks it" for a lockout that ends at
    the roll, and "until can_trade" for one the broker clears."""
    from services.notify.bot.answers import lockout_line
    from services.notify.templates import Context
    ctx = Context()
    assert "locked until the roll, daily_net_loss" in lockout_line(
        lock("until_reset", "daily_net_loss"), ctx, TOOK)
    assert "locked until the broker allows trading again, auth_loss_guard" in lockout_line(
        lock("manual", "auth_loss_guard", clears_on="can_trade"), ctx, TOOK)


def test_the_watch_banner_ends_a_lockout_in_the_same_words():
    from types import SimpleNamespace
    from cli.watch.model import lock_end
    none_known = SimpleNamespace(next_roll_ns=None)
    assert lock_end(lock("until_session", "session_block_outside"), none_known, TOOK,
                    CHICAGO) == "until the next session"
    assert lock_end(lock("until_reset", "daily_net_loss"), none_known, TOOK,
                    CHICAGO) == "until the roll"


def test_a_symbol_blocks_lockout_ends_in_one_wording_on_every_screen():
    """Trial17a section 2: `status`/`watch` read "until the broker allows trading again or an
    admin unlocks" for a symbol_blocks lockout, `lockouts` "until symbol blocks clears" (no
    term docs define). Every screen and alert says what ends it, in one wording."""
    from types import SimpleNamespace
    from cli.commands.history import rows as history_rows
    from cli.watch.model import lock_end
    from services.notify.bot.answers import lockout_line
    from services.notify.templates import Context, _lock_words
    from services.risk.words import _end_words
    listed = ("while CL is listed in symbol_blocks (an admin's unlock does not free it: CL's "
              "next trade is closed and CL locked again)")
    lk = lock("manual", "symbol_blocks", symbol="CL", clears_on="symbol_blocks")
    said = {
        "watch": lock_end(lk, SimpleNamespace(next_roll_ns=None), TOOK, CHICAGO),
        "lockouts": lockout_rows([lk], tz=CHICAGO),
        "phone": lockout_line(lk, Context(), TOOK),
        "alert": _lock_words(lk.kind, lk.until_ns, Context(), TOOK, lk.clears_on, lk.symbol),
        "risk": _end_words(lk, 2 ** 63, CHICAGO, TOOK),
        "describe": describe(lk, "Demo 2"),
    }
    d = Decision(id="d1", ts_ns=TOOK, rule="symbol_blocks", account_id=1001, action="none",
                 lock=LockSpec(kind="manual", symbol="CL", clears_on="symbol_blocks"))
    [row] = history_rows(HistoryReply(decisions=[d]), None, CHICAGO)
    said["history"] = row[-1]
    for where, text in said.items():
        assert listed in " ".join(text.split()), (where, text)
        assert "broker" not in text and "symbol blocks clears" not in text, (where, text)
