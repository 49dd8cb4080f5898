"""A LAST ACTIONS row of a lockout says how the lockout ended, as history does (trial23a
finding 1).

The trial: trade_frequency_limit's hourly cooldown (to 11:37:47) ended early by an admin's unlock
at 11:08:28; its row kept "lock ... locked until 11:37:47" all day, beside a banner of a later,
shorter cooldown of the same rule, while `riskctl history` said "ended early at Mon 11:08:28 CST
by an unlock (admin:root)". The rows of lockouts to the roll (a daily_realized_loss flatten)
said only "flatten done", neither the lock nor its end. The screen is fed what risk publishes
(decisions, lockout changes) live, and, as `riskctl status` and a screen opened later read it,
risk's history; shipped rules (etc/riskd.toml, account 1001: 3 trades a minute, a 60 s
cooldown; daily_realized_loss -500).
"""
from __future__ import annotations

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from services.risk.views import account_status
from shared.messages.risk import HistoryReply
from tests.unit.cli.screens import CALENDAR, state
from tests.unit.risk.desk import CHI, MNQ, NS, SIDE_SELL, Desk, shipped_desk
from tests.unit.risk.engine_run import ACCOUNT, LOADED


def screen(desk: Desk, live: bool) -> str:
    """LAST ACTIONS as the screen shows it: fed live (decisions, lockout changes as risk
    publishes them), or from risk's history (a screen opened later, `riskctl status`)."""
    decisions = [d for o in desk.history for d in o.decisions]
    changes = [c for o in desk.history for c in o.lockouts]
    s = state(account_status(desk.engine, ACCOUNT, desk.now))
    if live:
        for m in sorted([*decisions, *changes], key=lambda m: m.ts_ns):
            s.apply(m)
    else:
        s.apply(HistoryReply(decisions=decisions, lockouts=changes))
    text = plain(render(build_screen(s, desk.now, CHI, CALENDAR), 160, None, unicode=False))
    return text.split("LAST ACTIONS", 1)[1]


def cooldown_unlocked() -> Desk:
    desk = shipped_desk(LOADED)
    for size in range(1, 4):                    # the 3rd trade starts the 60 s cooldown
        desk.filled(size, MNQ, 21000)
        desk.wait(2)
    desk.wait(10)
    out, refusal = desk.engine.unlock(ACCOUNT, None, "admin:root", "checked", desk.now)
    assert refusal == "" and out.lockouts
    desk.history.append(out)
    desk.wait(30)
    return desk


def test_a_cooldown_row_ended_by_an_unlock_says_so_not_locked_until():
    desk = cooldown_unlocked()
    for live in (True, False):
        text = screen(desk, live)
        [row] = [line for line in text.splitlines() if "trade_frequency_limit lock" in line]
        assert "ended early 09:00:16" in row and "locked until" not in row, text
        under = text.splitlines()[text.splitlines().index(row) + 1]
        assert "locked until Wed 09:01:04 CST (timer), ended early at Wed 09:00:16 CST by an " \
               "unlock (admin:root)" in " ".join(text.split()), text
        assert under.startswith(" "), text


def test_a_cooldown_that_ran_its_time_keeps_its_end():
    desk = shipped_desk(LOADED)
    for size in range(1, 4):
        desk.filled(size, MNQ, 21000)
        desk.wait(2)
    desk.wait(90)                               # it ended by the clock
    [row] = [line for line in screen(desk, True).splitlines()
             if "trade_frequency_limit lock" in line]
    assert "locked until 09:01:04" in row and "ended early" not in row, row


def test_a_flatten_to_the_roll_says_its_lock_and_how_it_ended():
    desk = shipped_desk(LOADED)
    desk.filled(1, MNQ, 21000)
    desk.wait(100)
    desk.trade("-520", fees="0.37", contract=MNQ, side=SIDE_SELL, price="20480")
    desk.flat(MNQ)
    desk.wait(5)
    text = " ".join(screen(desk, True).split())
    assert "daily_realized_loss flatten" in text, text
    assert "locked until the roll at Wed 17:00 CST" in text, text
    assert "ended early" not in text, text
    out, refusal = desk.engine.unlock(ACCOUNT, None, "admin:root", "checked", desk.now)
    assert refusal == ""
    desk.history.append(out)
    desk.now += NS
    for live in (True, False):
        text = " ".join(screen(desk, live).split())
        assert "locked until the roll at Wed 17:00 CST, ended early at Wed 09:01:45 CST by " \
               "an unlock (admin:root)" in text, text


def test_a_cooldown_extended_then_unlocked_after_its_first_end_says_it_was_extended():
    """Trial25c F6: trade_frequency_limit's cooldown (until 16:42:54) extended twice (to
    16:43:43), then an unlock at 16:43:20: the first row read "locked until Mon 16:42:54 CST
    (timer), ended early at Mon 16:43:20 CST by an unlock" (ended early after its end). Now
    "..., then extended to ... and ended early at ...". Fails before."""
    desk = shipped_desk(LOADED)
    for size in range(1, 4):                    # the 3rd trade starts the 60 s cooldown
        desk.filled(size, MNQ, 21000)
        desk.wait(2)
    desk.wait(40)
    desk.filled(4, MNQ, 21000)                  # a trade while locked: the cooldown extended
    desk.wait(30)                               # past the first end (09:01:04)
    out, refusal = desk.engine.unlock(ACCOUNT, None, "admin:root", "checked", desk.now)
    assert refusal == "" and out.lockouts
    desk.history.append(out)
    desk.wait(5)
    for live in (True, False):
        text = " ".join(screen(desk, live).split())
        assert "locked until Wed 09:01:04 CST (timer), then extended to Wed " in text, text
        assert "ended early at Wed 09:01:16 CST by an unlock (admin:root)" in text, text
        assert "locked until Wed 09:01:04 CST (timer), ended early" not in text, text
