"""The live screen's panels tell the whole truth (issue 17 items 6 and 7), at 80x24 and 120x40:
every enabled rule with value, limit and use (parameters for a rule without a numeric limit,
never a cut description), the looser value waiting for the roll, a legend for the glyphs, and
LAST ACTIONS with today's actions from riskd's history and their outcome."""
from __future__ import annotations

import attrs
import pytest

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.enforce import CommandState, EnforcementStatus
from shared.messages.risk import Decision, HistoryReply
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, rule, state

SIZES = [(80, 24), (120, 40)]


def default_rules():
    """The readings of etc/riskd.toml's default profile: ten rules on, five off."""
    return [
        attrs.evolve(rule("max_contracts", 5, 5, 1.0), waiting={"limit": "6"}),
        rule("max_contracts_per_instrument", enabled=True,
             detail="a symbol's size over its limit: reduce or close that contract"),
        rule("daily_realized_loss", "-312.50", 500, 0.625),
        rule("daily_unrealized_loss", "-45", 200, 0.225),
        rule("max_unrealized_profit", enabled=False),
        rule("trade_frequency_limit", 1, 3, 0.33),
        attrs.evolve(rule("cooldown_after_loss", detail="one trade's loss over a tier: a "
                                                       "cooldown for that tier"),
                     params={"tiers": "[100: 300 s, 200: 900 s, 300: 1800 s]",
                             "flatten": "True"}),
        rule("no_stop_loss_grace", enabled=False),
        rule("session_block_outside", enabled=False),
        attrs.evolve(rule("auth_loss_guard", detail="the broker reports canTrade = false: "
                                                   "flatten"), params={}),
        attrs.evolve(rule("symbol_blocks", detail="orders and positions in a blocked symbol"),
                     params={"symbols": "['CL']"}),
        rule("trade_management", enabled=False),
        rule("daily_realized_profit", enabled=False),
        rule("daily_net_loss", "-267.50", 600, 0.445),
        rule("drawdown_guard", "49732.50", "48100", 0.2)]


def screen_text(s, width, height):
    return plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), width, height))


@pytest.mark.parametrize("width, height", SIZES)
def test_every_enabled_rule_shows_value_limit_and_use_or_its_parameters(width, height):
    text = screen_text(state(account(rules=default_rules())), width, height)
    enabled = [r.rule for r in default_rules() if r.enabled]
    for name in enabled:
        assert name[:14] in text, f"{name} missing at {width}x{height}:\n{text}"
    # the rules off named (trial: "(5 off)" said which nowhere), as far as the title's width
    assert "(5 off: max_unrealized_profit, " in text
    assert "2/5" not in text and "5/5 100%" in text
    assert "-312.50/500.00 62%" in text or "62% -312.50 / 500.00" in text   # a line or its bar
    assert "symbols=CL" in text                      # parameters, not a description
    assert "blocked symbol" not in text and "canTrade" not in text
    assert "+1 more" not in text and "more rows" not in text.split("RULES")[1].split(
        "LAST ACTIONS")[0]


@pytest.mark.parametrize("width, height", SIZES)
def test_a_loosening_waiting_for_the_roll_is_on_the_screen(width, height):
    text = screen_text(state(account(rules=default_rules())), width, height)
    assert "5/5 100% (limit 6 at roll)" in " ".join(text.split()) or \
        "(limit 6 at r" in text


def test_at_120x40_every_rule_text_is_whole_and_at_80x24_with_banners_they_compact():
    wide = screen_text(state(account(rules=default_rules())), 120, 40)
    assert "tiers=[100: 300 s, 200: 900 s, 300: 1800 s] flatten=True" in wide
    from tests.unit.cli.screens import lockout
    busy = state(account(rules=default_rules(), lockouts=[
        lockout(), lockout(kind="timer", rule_name="cooldown_after_loss",
                           until_ns=NOW + 300 * NS_PER_S, reason="lost 150")]))
    text = screen_text(busy, 80, 24)
    for name in [r.rule for r in default_rules() if r.enabled]:
        assert name[:12] in text, f"{name} missing:\n{text}"
    assert "LAST ACTIONS" in text


@pytest.mark.parametrize("width, height", SIZES)
def test_a_legend_line_explains_the_glyphs(width, height):
    text = screen_text(state(account()), width, height)
    legend = [ln for ln in text.splitlines() if "\u25cf running" in ln]
    assert legend and "limit used" in legend[0] and "! locked" in legend[0]


@pytest.mark.parametrize("width, height", SIZES)
def test_last_actions_show_todays_actions_from_history_with_their_outcome(width, height):
    s = state(account())
    earlier = Decision(id="d-early", ts_ns=NOW - 3600 * NS_PER_S, rule="max_contracts",
                       account_id=1001, action="reduce_position")
    yesterday = Decision(id="d-old", ts_ns=NOW - 30 * 3600 * NS_PER_S, rule="daily_net_loss",
                         account_id=1001, action="flatten")
    s.apply(HistoryReply(decisions=[yesterday, earlier]))
    s.apply(EnforcementStatus(commands=[CommandState(
        command_id="d-early.1", account_id=1001, action="reduce_position", state="final",
        status="done", first_answer_ns=NOW - 3599 * NS_PER_S)]))     # it traded
    text = screen_text(s, width, height)
    row = [ln for ln in text.splitlines() if ln.startswith("Wed 13:03:27 CST")]
    assert row and "max_contracts" in row[0] and "done" in row[0]
    assert "daily_net_loss" not in text.split("LAST ACTIONS")[1]      # yesterday's: not today
