"""The watch screen's layout: what fits on an 80x24 terminal and wider, without a terminal."""
from __future__ import annotations

import pytest

from cli.watch.model import Reachability, build_screen
from cli.watch.view import plain, render, text_of
from shared.clock import NS_PER_S
from shared.messages.risk import PositionView
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, state


def lines_for(s, width=80, height=24, selected=0, now=NOW, unicode=True):
    return render(build_screen(s, now, CHICAGO, CALENDAR, selected), width, height,
                  unicode=unicode)


def styled(lines, text):
    """The style of the first segment whose text contains `text`."""
    for line in lines:
        for t, style in line:
            if text in t:
                return style
    raise AssertionError(f"{text!r} not on the screen:\n{plain(lines)}")


@pytest.mark.parametrize("width, height", [(1, 1), (10, 3), (40, 10), (80, 24), (100, 30),
                                           (160, 50)])
def test_the_screen_fills_exactly_the_terminal_and_no_line_is_too_wide(width, height):
    lines = lines_for(state(account(lockouts=[lockout()]), account(1002, "SIM-DEMO-2")),
                      width, height)
    assert len(lines) == height
    assert all(len(text_of(line)) <= width for line in lines)
    assert "q quit".startswith(text_of(lines[-1])[:6])


def test_at_80x24_the_trader_sees_pnl_the_limit_bars_the_position_and_the_banner():
    text = plain(lines_for(state(account(lockouts=[lockout()]))))
    assert "roll in 2h56m33s" in text and "Wed 14:03:27 CST" in text
    assert "net -267.50" in text and "realized -312.50" in text
    assert "daily_realized_loss   [" in text and "62%" in text
    assert "ES         long     2     6012.25" in text
    assert "LOCKED OUT  2h56m33s (until Wed 17:00:00 CST)" in text
    assert "-512.50 <= -500.00" in text      # the reason, wrapped onto a second line


def test_bars_take_the_colour_of_their_threshold():
    for progress, colour in ((0.5, "green"), (0.85, "amber"), (0.95, "red")):
        lines = lines_for(state(account(progress=progress)))
        bar = [line for line in lines if text_of(line).startswith("daily_realized_loss   [")][0]
        assert bar[1][1] == colour and bar[3][1] == colour        # the filled part and the %
        filled = bar[1][0].count("\u2588")
        assert filled == round(progress * (len(bar[1][0]) - 1 + len(bar[2][0]) - 2))


def test_the_banner_is_loud_and_its_countdown_ticks():
    s = state(account(lockouts=[lockout(kind="timer", rule_name="cooldown_after_loss",
                                        until_ns=NOW + 245 * NS_PER_S, reason="lost 150")]))
    first = lines_for(s)
    assert styled(first, "COOLDOWN") == "banner"
    assert "COOLDOWN  4m05s" in plain(first)
    assert "COOLDOWN  3m05s" in plain(lines_for(s, now=NOW + 60 * NS_PER_S))


def test_losses_are_red_and_profits_green():
    lines = lines_for(state(account(realized="120", unrealized="-45")))
    assert styled(lines, "-45.00") == "red" and styled(lines, "+120.00") == "green"


def test_several_accounts_get_tabs_and_the_selected_one_is_shown():
    s = state(account(1001, "SIM-DEMO-1"), account(1002, "SIM-DEMO-2", realized="88"))
    second = lines_for(s, selected=1)
    assert styled(second, "2:SIM-DEMO-2") == "tab"
    assert "SIM-DEMO-2 (id 1002)  balance" in plain(second) and "realized +88.00" in plain(second)


def test_many_accounts_become_a_compact_table_with_their_net_and_lock_state():
    accounts = [account(2000 + n, f"COMBINE-{n:02d}", lockouts=[lockout()] if n == 3 else ())
                for n in range(12)]
    lines = lines_for(state(*accounts), selected=3)
    text = plain(lines)
    assert "> 4 COMBINE-03" in text and "LOCKED" in text
    assert "7 more accounts" in text
    assert len(lines) == 24
    last = plain(lines_for(state(*accounts), selected=11))
    assert ">12 COMBINE-11" in last and "COMBINE-11 (id 2011)  balance" in last


def test_a_long_list_of_positions_is_cut_with_a_count_of_what_is_left_out():
    positions = [PositionView(contract_id=f"CON.F.US.MNQ.{m}26", symbol="MNQ", side="short",
                              size=1, average_price=100, last=101, unrealized=-2)
                 for m in "FGHJKMNQUVXZ" * 2]
    lines = lines_for(state(account(positions=positions)))
    text = plain(lines)
    assert "MNQ        short" in text and "more rows" in text
    assert len(lines) == 24 and text_of(lines[-1]).startswith("q quit")


def test_when_riskd_is_gone_the_screen_says_so_on_a_loud_line():
    s = state(account())
    s.apply(Reachability(ok=False, reason="no answer", ts_ns=NOW))
    lines = lines_for(s, now=NOW + 3 * NS_PER_S)
    assert "riskd not reachable -- retrying (for 3s)" in plain(lines)
    assert styled(lines, "not reachable -- retrying") == "error"


def test_ascii_mode_draws_with_plain_characters():
    text = plain(lines_for(state(account()), unicode=False))
    assert "[######" in text and "\u2588" not in text and "enforcement*" in text


def test_status_output_is_the_same_layout_for_every_account_without_a_height():
    s = state(account(1001, "SIM-DEMO-1"), account(1002, "SIM-DEMO-2"))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 100, None, unicode=False))
    assert "SIM-DEMO-1 (id 1001)  balance" in text and "SIM-DEMO-2 (id 1002)  balance" in text
    assert "q quit" not in text
