"""A rule edit's answer for a trade count: the edited window's count, and what the next trade
does once that count is at its limit (trial22c section 5a).

`rules set 1001 trade_frequency_limit per_minute_cooldown 120 --yes` at 3 of 3 trades per
minute answered "nothing held breaks it now: no action (SIM-DEMO-1 (id 1001): 3 of 3 trades per
minute); the rule acts the moment the account reaches it": the account had reached it. The
answer now says what the status row says ("at the limit: the next trade starts a ...
cooldown"). `rules set ... per_session 40` answered with the hour's count (the row shows the
window furthest along): it answers with the session's now.

Risk's own reading (services/risk/views.account_rules on the shipped rules, etc/riskd.toml:
per_minute 3, per_hour 10, per_session 50, per_minute_cooldown 60) after three market buys of
the trader in one minute, answered by the supervisor's words (rule_acted.nothing_line)."""
from __future__ import annotations

from services.risk.views import account_rules
from services.supervisor.commands.rule_acted import FROM_NOW, nothing_line
from tests.unit.risk.test_reversed_during_held_close import ACCOUNT, NS, Broker

RULE = "trade_frequency_limit"


def three_trades():
    b = Broker()
    for _ in range(3):
        for ev in b.fill(1, None):
            b.feed(ev)
        b.now += NS
    return [account_rules(b.engine, ACCOUNT, b.now)]


def test_an_edit_of_a_window_at_its_limit_says_what_the_next_trade_does():
    line = nothing_line(RULE, {ACCOUNT}, three_trades(), None, "per_minute_cooldown")
    assert line == ("nothing held breaks it now: no action (SIM-DEMO-1 (id 1001): 3 of 3 trades "
                    "per minute, at the limit: the next trade starts a 1m00s cooldown)"), line
    assert FROM_NOW not in line


def test_an_edit_of_the_sessions_limit_answers_with_the_sessions_count():
    line = nothing_line(RULE, {ACCOUNT}, three_trades(), None, "per_session")
    assert line == ("nothing held breaks it now: no action (SIM-DEMO-1 (id 1001): 3 of 50 trades "
                    f"per session); {FROM_NOW}"), line


def test_an_edit_of_the_whole_rule_answers_with_the_row_furthest_along():
    line = nothing_line(RULE, {ACCOUNT}, three_trades(), None, "warn_at")
    assert "3 of 3 trades per minute, at the limit: the next trade starts" in line, line
