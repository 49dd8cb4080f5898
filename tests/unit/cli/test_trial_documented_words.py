"""Trial findings: LAST ACTIONS showed an outcome "suppressed", a word docs/operations.md does
not list; status showed "daily_realized_loss -607.66/-500.00 122%" under a lockout with no
"locked already, no new action", which docs/rules.md promises."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.messages.risk import LOCKED_ALREADY, LOCKED_BY_THIS_RULE, Decision
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, rule, state

ROOT = Path(__file__).resolve().parents[3]


def breach(suppressed: str, id_: str = "d9") -> Decision:
    return Decision(id=id_, ts_ns=NOW, rule="daily_realized_loss", account_id=1001,
                    action="flatten", value=Decimal("-607.66"), limit=Decimal("-500"),
                    reason="realized -607.66 <= -500.00", suppressed=suppressed)


def test_an_action_not_sent_says_why_in_a_documented_word():
    s = state(account())
    s.apply(breach(f"{LOCKED_ALREADY}: account Demo 1 locked until the roll by daily_net_loss"))
    s.apply(breach("a flatten of the account is in flight (d8.1)", id_="d10"))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 100, None, unicode=False))
    assert "suppressed" not in text
    assert "not sent: locked already" in text and "not sent: in flight" in text
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert "`not sent: locked already`" in operations and "`not sent: in flight`" in operations


def test_a_limit_past_100_percent_under_a_lockout_says_nothing_more_is_done():
    # the detail as risk writes it (services/risk/views.past_limit_note: what risk did about
    # the breach); the screen shows risk's word, never its own guess from the lockouts
    def rules(note=""):
        return [rule("daily_realized_loss", "-607.66", "-500", 1.22,
                     detail="-607.66 of -500.00" + (f"; {note}" if note else "")),
                rule("max_contracts", 2, 5, 0.4)]
    # another rule's lockout holds the account
    locked = state(account(realized="-607.66", rules=rules(LOCKED_ALREADY),
                           lockouts=[lockout(rule_name="daily_net_loss")]))
    text = plain(render(build_screen(locked, NOW, CHICAGO, CALENDAR), 120, None, unicode=False))
    [line] = [ln for ln in text.splitlines() if "122%" in ln and "/" in ln and "[" not in ln]
    assert "122% locked already, no new action" in line
    assert text.count("no new action") == 1                 # not on the rule within its limit
    # the rule's own lockout (trial: "daily_net_loss -688.68/-600.00 115% locked already, no
    # new action" against the very rule that had locked the account)
    own = state(account(realized="-607.66", rules=rules(LOCKED_BY_THIS_RULE),
                        lockouts=[lockout()]))
    text = plain(render(build_screen(own, NOW, CHICAGO, CALENDAR), 120, None, unicode=False))
    [line] = [ln for ln in text.splitlines() if "122%" in ln and "/" in ln and "[" not in ln]
    assert line.rstrip().endswith("122% locked by this rule"), line
    assert "no new action" not in text
    free = state(account(realized="-607.66", rules=rules()))  # not locked (yet): no such note
    text = plain(render(build_screen(free, NOW, CHICAGO, CALENDAR), 120, None, unicode=False))
    assert "no new action" not in text
