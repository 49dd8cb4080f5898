"""A self-lockout taken during a cooldown is a row of its own (third trial: `riskctl lockout`
during cooldown_after_loss's timer took over the cooldown's row, which then read "trial:
tilted; started by cooldown_after_loss", while a rule's until-reset lockout on top of a cooldown
got a row of its own). Every screen tells the same: `riskctl lockouts`, status and watch's
banners, history and the alert name the trader's lockout with the trader's words, and the
cooldown as it was."""
from __future__ import annotations

from cli.commands._risk_view import lockout_rows
from cli.commands.history import rows as history_rows
from cli.watch.model import build_screen
from services.notify.steps import step_alert
from services.notify.templates import Context
from services.risk.views import account_status
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, state
from tests.unit.risk.desk import MNQ, NS, SIDE_SELL, Desk

COOLDOWN = {"tiers": [{"loss": 100, "seconds": 300}], "flatten": False}
COOLDOWN_WHY = "closing fill lost 150.00 (tier 100.00): cooldown 5m00s"


def cooldown_then_self_lockout():
    desk = Desk(start=NOW, cooldown_after_loss=COOLDOWN)
    desk.long(1, MNQ, 21000)
    started = desk.trade("-150", contract=MNQ, side=SIDE_SELL)      # the cooldown starts
    desk.wait(60)
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 3600 * NS,
                                         reason="trial: tilted")
    assert refusal == ""
    return desk, started, out


def test_the_self_lockout_is_its_own_row_and_the_cooldown_row_is_unchanged(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")    # a wide terminal: one line a lockout
    desk, started, out = cooldown_then_self_lockout()
    mine, cooldown = desk.engine.lockouts.all(1001)                  # the longest first
    [was] = [c.lockout for c in started.lockouts]
    assert cooldown == was                                          # not touched at all
    assert (cooldown.rule, cooldown.by, cooldown.reason) == \
        ("cooldown_after_loss", "rule", COOLDOWN_WHY)
    assert (mine.rule, mine.by, mine.reason, mine.until_ns) == \
        ("self_lockout", "trader", "trial: tilted", desk.now + 3600 * NS)
    table = lockout_rows([cooldown, mine], tz=CHICAGO)
    assert "started by" not in table, table
    [row] = [line for line in table.splitlines() if "self_lockout" in line]
    assert "trader" in row and "trial: tilted" in row, table
    [row] = [line for line in table.splitlines() if "cooldown_after_loss" in line]
    assert " rule " in row and COOLDOWN_WHY in row and "tilted" not in row, table


def test_status_and_watch_show_a_cooldown_and_a_lockout_by_the_trader():
    desk, _, _ = cooldown_then_self_lockout()
    screen = build_screen(state(account_status(desk.engine, 1001, desk.now)), desk.now,
                          CHICAGO, CALENDAR)
    [acct] = screen.accounts
    assert [(b.kind, b.text) for b in acct.banners] == [         # the longest first
        ("LOCKED OUT", "self_lockout (by trader): trial: tilted"),
        ("COOLDOWN", f"cooldown_after_loss: {COOLDOWN_WHY}")]


def test_history_and_the_alert_name_the_traders_lockout_with_the_traders_words():
    desk, _, out = cooldown_then_self_lockout()
    [change] = out.lockouts
    assert change.change == "added" and change.lockout.rule == "self_lockout"
    assert change.reason == "trial: tilted" and change.over is None

    class Body:
        decisions, warnings, lockouts = out.decisions, [], out.lockouts
    lines = [r for r in history_rows(Body, tz=CHICAGO) if r[2] == "self-lockout"]
    assert [(r[2], r[3], r[5]) for r in lines] == \
        [("self-lockout", "added by the trader", "trial: tilted")]
    alert = step_alert([*out.lockouts, *out.decisions], Context(tz=CHICAGO,
                                                                accounts={1001: "Demo 1"}))
    text = "\n".join([alert.title, *alert.lines])
    assert "Demo 1 (id 1001) locked until Wed 15:04:27 CST (self_lockout)" in alert.title, text
    assert "started by" not in text and "trial: tilted" in text, text


def test_both_rows_survive_a_restart(tmp_path):
    from services.risk.store import Store
    desk, started, out = cooldown_then_self_lockout()
    store, _ = Store.open(str(tmp_path))
    store.commit(started, desk.engine)
    store.commit(out, desk.engine)
    store.close()
    later = Desk(start=desk.now, cooldown_after_loss=COOLDOWN)
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    store.close()
    assert later.engine.lockouts.all(1001) == desk.engine.lockouts.all(1001)
