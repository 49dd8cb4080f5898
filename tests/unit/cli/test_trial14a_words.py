"""Fresh-user trial 14a, item 7: words that said something untrue or left out what the docs
quote.

- status row: "trade_frequency_limit 4/3 per minute 133% (over the limit: the next trade
  starts a 1m00s cooldown) locked already, no new action" while cooldown_after_loss held the
  account (trade_frequency_limit took no cooldown of its own);
- history: the 2-of-3 trade warning lacked what docs/rules.md quoted ("the next one starts
  the cooldown");
- status: "guarded now" right above " ENFORCEMENT FAILED ...";
- `rules override --help` did not say it never asks (the trial typed --yes, as for `rules
  set`, and got "unrecognized arguments")."""
from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import attrs

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared import accountguard
from shared.clock import NS_PER_S
from shared.historywords import rows
from shared.messages.risk import FailingAction, HistoryReply, RuleWarning
from tests.support import env as support_env
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, rule, state

PARAMS = {"per_minute": "3", "per_hour": "10", "per_session": "50", "per_minute_cooldown": "60",
          "per_hour_cooldown": "1800", "per_session_cooldown": "3600", "flatten": "false"}


def text_of(status) -> str:
    return plain(render(build_screen(state(status), NOW, CHICAGO, CALENDAR), 200,
                        unicode=False))


def test_a_count_over_its_limit_under_another_rules_lockout_says_what_holds():
    per_minute = attrs.evolve(rule("trade_frequency_limit", 4, 3, 4 / 3, detail=(
        "4 of 3 trades per minute; locked already, no new action")), params=PARAMS)
    cooldown = lockout(kind="timer", rule_name="cooldown_after_loss",
                       until_ns=NOW + 600 * NS_PER_S)               # 14:13:27 CST
    text = text_of(account(rules=[per_minute], lockouts=[cooldown]))
    [row] = [ln for ln in text.splitlines() if "4/3 per minute" in ln]
    assert ("4/3 per minute 133% (over the limit: no cooldown of its own, the account is "
            "locked already by cooldown_after_loss until Wed 14:13:27 CST)") in row, row
    assert "the next trade starts" not in row and "no new action" not in row, row
    # with no lockout at all, what the next trade does (as before)
    free = text_of(account(rules=[attrs.evolve(per_minute, detail="4 of 3 trades per minute")]))
    assert "4/3 per minute 133% (over the limit: the next trade starts a 1m00s cooldown)" in free


def warning(value, limit, window):
    return RuleWarning(id="w", ts_ns=NOW, rule="trade_frequency_limit", account_id=1001,
                       value=Decimal(value), limit=Decimal(limit), warn_at=0.8,
                       reason=f"trade_frequency_limit at {value / limit:.0%} of its limit: "
                              f"{value} of {limit} trades per {window}")


def test_a_trade_count_warning_in_history_says_what_the_trade_it_counts_up_to_does():
    body = HistoryReply(warnings=[warning(2, 3, "minute"), warning(8, 10, "hour"),
                                  warning(2, 3, "day")])
    notes = [r[6] for r in rows(body, tz=CHICAGO)]
    assert notes == ["the next trade starts the cooldown", "the 10th trade starts the cooldown",
                     "the next trade flattens and locks until the roll"]


def test_the_guard_line_never_says_guarded_now_while_an_enforcement_failed():
    failing = FailingAction(account_id=1002, action="close_position",
                            still="MNQ long 2 still open on a locked account",
                            act="close it on the firm's platform", first_failed_ns=NOW,
                            failures=2, next_ns=NOW + 60 * NS_PER_S, every_s=60,
                            command_id="d.1")
    accounts = [account(), attrs.evolve(account(account_id=1002), failing=[failing])]
    name_of = {1001: "Demo 1 (id 1001)", 1002: "Demo 2 (strict, id 1002)"}.get
    said = accountguard.head([], accounts, name_of,
                             failed=accountguard.failed_on(accounts, name_of))
    assert "guarded now" not in said, said
    assert said == ("ENFORCEMENT FAILED on Demo 2 (strict, id 1002): riskd checks the rules, "
                    "but an action it decided is not carried out (below)")
    assert accountguard.head([], [account()], name_of,
                             failed=accountguard.failed_on([account()], name_of)) == "guarded now"


def test_rules_override_help_says_it_never_asks():
    done = subprocess.run([sys.executable, "-m", "cli.main", "rules", "override", "--help"],
                          cwd=support_env.REPO, env=support_env.test_env(), capture_output=True, text=True, timeout=30)
    said = " ".join(done.stdout.split())
    assert "It never asks first and takes no --yes (unlike `rules set`)" in said, said
