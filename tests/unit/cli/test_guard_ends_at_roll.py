"""Trial22b findings 5 and 8 on the trader's screen: an admin's disable waiting for the roll
was not shown (a waiting rule loosening was), and a rule switched off at the roll read
"(enabled false at roll)", a config key."""
from __future__ import annotations

import attrs

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, rule, state

ROLL = NOW + (2 * 3600 + 58 * 60) * NS_PER_S          # Wed 17:01:27 CST


def test_a_disable_waiting_for_the_roll_is_a_banner_with_the_roll():
    waits = attrs.evolve(account(), unguarded_at_roll=True, next_roll_ns=ROLL)
    screen = build_screen(state(waits), NOW, CHICAGO, CALENDAR)
    [banner] = [b for b in screen.accounts[0].banners if b.kind == "GUARD ENDS AT THE ROLL"]
    assert banner.countdown == "2h58m00s (at Wed 17:01:27 CST)", banner.countdown
    assert banner.text.startswith("an admin disabled this account: riskd guards it until the "
                                  "roll, not after"), banner.text
    text = plain(render(screen, 120, None, unicode=False))
    assert "GUARD ENDS AT THE ROLL" in text, text
    plain_account = attrs.evolve(account(), next_roll_ns=ROLL)
    assert not build_screen(state(plain_account), NOW, CHICAGO, CALENDAR).accounts[0].banners


def test_a_rule_switched_off_at_the_roll_reads_off_at_the_roll():
    r = attrs.evolve(rule("max_contracts", 1, 1, 1.0), waiting={"enabled": "false"})
    screen = build_screen(state(account(rules=[r])), NOW, CHICAGO, CALENDAR)
    [line] = [x for x in screen.accounts[0].rules if x.rule == "max_contracts"]
    assert line.text.endswith("(off at the roll)") and "enabled" not in line.text, line.text
