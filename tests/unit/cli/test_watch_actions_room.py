"""LAST ACTIONS keeps room for the newest actions on an 80x24 terminal.

Fresh-user trial 2026-12-06: `riskctl watch` at 80x24 with a cooldown banner showed LAST ACTIONS
as its title, one row and "+7 more rows": the rules took every other line. Now the rules
compact (two columns, texts cut) and LAST ACTIONS keeps its title, the three newest actions and
a line saying how many more there are today.
"""
from __future__ import annotations

import re

import pytest

from cli.watch.model import build_screen
from cli.watch.view import ACTIONS_SHOWN, plain, render
from shared.clock import NS_PER_S
from shared.messages.enforce import CommandResult
from shared.messages.risk import Decision, HistoryReply, PositionView
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, state
from tests.unit.cli.test_watch_panels import default_rules

RULES = ("max_contracts", "daily_unrealized_loss", "cooldown_after_loss", "lockout")


def busy_day():
    """The trial's screen: a cooldown, a position, the default rules, eight actions today."""
    cooldown = lockout(kind="timer", rule_name="trade_frequency_limit",
                       until_ns=NOW + 52 * NS_PER_S,
                       reason="3 trades this minute reached the limit of 3")
    pos = PositionView(contract_id="CON.F.US.MNQ.Z26", symbol="MNQ", side="long", size=5,
                       average_price=20660, last=20661, unrealized=10)
    s = state(account(rules=default_rules(), lockouts=[cooldown], positions=[pos]))
    for n in range(8):
        at = NOW - (60 - n) * NS_PER_S
        s.apply(Decision(id=f"d{n}", ts_ns=at, rule=RULES[n % 4], account_id=1001,
                         action="close_position", event_ns=at))
        s.apply(CommandResult(command_id=f"d{n}.1", account_id=1001, status="done",
                              started_ns=at, first_answer_ns=at + 10 ** 7,
                              finished_ns=at + 10 ** 7, event_ns=at))
    return s


def read_history(s):
    """riskd's history answered: no note under LAST ACTIONS."""
    s.apply(HistoryReply())
    return s


@pytest.mark.parametrize("history_read", [True, False])
def test_at_80x24_last_actions_shows_the_newest_actions_and_how_many_more(history_read):
    s = read_history(busy_day()) if history_read else busy_day()
    lines = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 80, 24)).split("\n")
    assert len(lines) == 24
    head = next(i for i, line in enumerate(lines) if line.startswith("LAST ACTIONS"))
    rows = [line for line in lines[head + 1:] if re.match(r"\w{3} \d\d:\d\d:\d\d ", line)]
    assert len(rows) >= ACTIONS_SHOWN == 3, "\n".join(lines)
    # the newest first: d7 (lockout) at NOW - 53 s
    assert rows[0].split()[3] == "lockout", rows
    more = [line for line in lines if re.match(r"\s+\+(\d+) more", line)]
    assert more and more[-1].strip() == f"+{8 - len(rows)} more today (riskctl history)", \
        "\n".join(lines)
    # the rest of the screen is still there: the banner, the money line, the position
    text = "\n".join(lines)
    # riskd's history not read yet: the note says the list may lack earlier actions
    assert history_read or "earlier actions today: asking riskd" in text, text
    assert "COOLDOWN" in text and "balance" in text and "MNQ" in text and "RULES" in text


def test_at_80_columns_the_daily_loss_rules_cut_names_read_apart():
    """Trial16c: LAST ACTIONS on an 80x24 watch cut 'daily_r…d_loss' and 'daily_u…d_loss', so
    daily_realized_loss and daily_unrealized_loss looked alike (one letter apart). A cut name
    keeps 3 characters past the start it shares with a rule of the same ending."""
    from cli.watch.columns import action_columns, name_cuts
    when = len("Sun 01:23:57 CST")
    rule_w = action_columns(80, when, 27, ["12ms"])[0]       # the trial's widest outcome
    names = ["daily_realized_loss", "daily_unrealized_loss", "daily_net_loss"]
    cuts = {n: c.strip() for n, c in name_cuts(names, rule_w).items()}
    assert cuts["daily_realized_loss"].startswith("daily_rea"), cuts
    assert cuts["daily_unrealized_loss"].startswith("daily_unr"), cuts
    assert cuts["daily_net_loss"].startswith("daily_net"), cuts
    # a name whose telling part lies too far in still keeps its end ('max_co…rument')
    assert name_cuts(["max_contracts_per_instrument"], rule_w)[
        "max_contracts_per_instrument"].strip().endswith("ment")


def test_the_docs_promise_at_least_the_three_newest_actions():
    """The 80x24 screen shows the three newest at least, more when there is room (trial16c saw
    4 where operations.md said 3)."""
    from tests.support.env import REPO
    import os
    with open(os.path.join(REPO, "docs", "operations.md"), encoding="utf-8") as fh:
        text = " ".join(fh.read().split())
    assert f"at least its {['zero', 'one', 'two', 'three'][ACTIONS_SHOWN]} newest actions" in text
