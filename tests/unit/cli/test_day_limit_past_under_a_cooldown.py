"""A daily limit's row past 100 % says what the next trade does when no lockout in force
outlasts the one that trade would take (cli/watch/pastrow.py; docs/rules.md, Lockouts).

Fresh-user trial 19a, finding 1: with cooldown_after_loss the only lockout, status/watch showed
"COOLDOWN 25m46s (until Mon 00:09:50 CST)" and the rows "daily_realized_loss -502.91/-250.00
201%", "daily_net_loss -502.91/-400.00 126%" with no note; the next trade after the cooldown
was flattened and the account locked to the roll. trade_frequency_limit's row, by contrast,
says "(over the limit: ...)"."""
from __future__ import annotations

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.risk import LOCKED_ALREADY, LOCKED_BY_THIS_RULE
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, rule, state
from tests.unit.cli.test_watch_panels import default_rules

COOLDOWN = lockout(kind="timer", rule_name="cooldown_after_loss",
                   until_ns=NOW + 600 * NS_PER_S)               # Wed 14:13:27 CST
AFTER = ("(over the limit: the next trade after Wed 14:13:27 CST is flattened and locks the "
         "account until the roll)")


def past(detail_note: str = ""):
    rules = {r.rule: r for r in default_rules()}
    rules["daily_realized_loss"] = rule("daily_realized_loss", "-502.91", "-250", 2.0116,
                                        detail="-502.91 of -250.00" + detail_note)
    rules["daily_net_loss"] = rule("daily_net_loss", "-502.91", "-400", 1.2573,
                                   detail="-502.91 of -400.00" + detail_note)
    return list(rules.values())


def text_of(status, width=200, height=None) -> str:
    return plain(render(build_screen(state(status), NOW, CHICAGO, CALENDAR), width, height,
                        unicode=False))


def row(text, name):
    return [ln for ln in text.splitlines() if ln.lstrip().startswith(name)]


def test_under_a_cooldown_the_rows_say_the_next_trade_after_it_locks_to_the_roll():
    text = text_of(account(realized="-502.91", rules=past(), lockouts=[COOLDOWN]))
    for name in ("daily_realized_loss", "daily_net_loss"):
        rows = [ln for ln in row(text, name) if AFTER in ln]
        assert rows, text


def test_a_note_of_a_breach_under_a_lockout_since_ended_gives_way():
    text = text_of(account(realized="-502.91", rules=past(f"; {LOCKED_ALREADY}"),
                           lockouts=[COOLDOWN]))
    [r] = [ln for ln in row(text, "daily_realized_loss") if "%" in ln and "[" not in ln]
    assert AFTER in r and LOCKED_ALREADY not in r, r


def test_with_no_lockout_the_next_trade_is_said():
    text = text_of(account(realized="-502.91", rules=past()))
    assert any("(over the limit: the next trade is flattened and locks the account until the "
               "roll)" in ln for ln in row(text, "daily_net_loss")), text


def test_a_lockout_to_the_roll_keeps_risks_note():
    rules = past(f"; {LOCKED_ALREADY}")
    rules = [r if r.rule != "daily_net_loss" else
             rule("daily_net_loss", "-502.91", "-400", 1.2573,
                  detail=f"-502.91 of -400.00; {LOCKED_BY_THIS_RULE}") for r in rules]
    text = text_of(account(realized="-502.91", rules=rules,
                           lockouts=[lockout(rule_name="daily_net_loss"), COOLDOWN]))
    assert "over the limit" not in text, text
    assert any(LOCKED_ALREADY in ln for ln in row(text, "daily_realized_loss")), text


def test_at_80x24_the_bar_says_it_short():
    text = text_of(account(realized="-502.91", rules=past(), lockouts=[COOLDOWN]), 80, 24)
    bars = [ln for ln in row(text, "daily_net_loss") if "[" in ln]
    assert bars and bars[0].rstrip().endswith("locks at next trade"), text
