"""A rule in alert mode records each breach once: not only its first of the day.

Fresh-user trial 17a, finding 1: with cooldown_after_loss (or daily_unrealized_loss) in
alert mode, the first breach on an account was recorded ("(alert mode) ... would have
flattened 0 positions ...; would have locked the account (timer)") and every later one of the
day was silent: no history line, no log line, no alert (7 of 7, on three accounts, also after
the would-be 5-minute cooldown had ended). Risk kept alert-mode records once a day per rule
and target. docs/rules.md: alert mode "records, logs and alerts what it would have done".

The shipped rules (etc/riskd.toml, account 1001) with the one rule switched to alert mode, an
injected clock, the broker's events of each fill (Trade first, as TopstepX sends them).
"""
from __future__ import annotations

import re

import pytest

from shared.config.load import load_config
from shared.messages.market import AccountUpdate
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine
from tests.unit.risk.test_both_loss_lines_one_fill import ACCOUNT, START, Broker

pytestmark = pytest.mark.timeout(30)


def in_alert_mode(tmp_path, rule: str):
    """The shipped config with `rule` switched to mode = "alert" (nothing else changed)."""
    text = open(SHIPPED, encoding="utf-8").read()
    at = text.index('mode = "enforce"', text.index(f"[profiles.default.rules.{rule}]\n"))
    text = text[:at] + 'mode = "alert"  ' + text[at + len('mode = "enforce"'):]
    copy = tmp_path / "riskd.toml"
    copy.write_text(text, encoding="utf-8")
    return load_config(SHIPPED, text_from=str(copy))


def desk(tmp_path, rule: str) -> Broker:
    now = chi(2026, 11, 25, 9, 0)           # a Wednesday, in the session
    broker = Broker(shipped_engine(in_alert_mode(tmp_path, rule), now), now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(MNQ, "21000")
    return broker


def records(broker: Broker, rule: str, since: int = 0) -> list:
    return [d for o in broker.outs[since:] for d in o.decisions if d.rule == rule]


def losing_round_trip(broker: Broker, points: int) -> None:
    """Buy 1 MNQ at 21000, the price falls `points`, sell it there (0.50 a tick)."""
    broker.price(MNQ, "21000")
    broker.fill(MNQ, 1, "21000", None, 1, "21000")
    broker.now += NS
    low = 21000 - points
    broker.price(MNQ, str(low))
    broker.fill(MNQ, -1, str(low), str(-points * 2), 0, "0")


def test_every_losing_fill_of_cooldown_after_loss_in_alert_mode_is_recorded(tmp_path):
    broker = desk(tmp_path, "cooldown_after_loss")
    losing_round_trip(broker, 60)                  # lost 120.37: tier 100, 5 minutes
    [first] = records(broker, "cooldown_after_loss")
    assert first.mode == "alert" and first.lock is None, first
    # the loss's fill left the account flat: what enforce mode would have done, in words that
    # hold with nothing held (fresh-user trial 18b: "would have flattened 0 positions and
    # cancelled 0 orders; would have locked the account (timer) until ...")
    assert re.fullmatch(r"would have locked the account \(timer\) until Wed \d\d:\d\d:\d\d UTC; "
                        r"nothing held to flatten", first.what), first.what
    assert [c.mode for o in broker.outs for c in o.commands] == ["alert"]
    # 74 s later, the same loss again (trial: 17:52:06, then 17:53:20): enforce mode would
    # have extended its own cooldown, with no new flatten (its start flattened already)
    broker.now += 74 * NS
    before = len(broker.outs)
    losing_round_trip(broker, 60)
    [second] = records(broker, "cooldown_after_loss", before)
    assert second.what.startswith("would have extended its own lockout of the account "
                                  "(timer) to "), second.what
    assert second.what.endswith("with no new flatten"), second.what
    assert "closing fill lost 120.37" in second.reason, second.reason
    # 6 minutes later, past the would-be cooldown: a breach like the first
    broker.now += 360 * NS
    before = len(broker.outs)
    losing_round_trip(broker, 60)
    [third] = records(broker, "cooldown_after_loss", before)
    assert third.what.startswith("would have locked the account (timer) until "), third.what
    assert third.what.endswith("; nothing held to flatten"), third.what
    # each breach once: 3 losing fills, 3 records; nothing locked, 2 alert commands
    assert len(records(broker, "cooldown_after_loss")) == 3
    assert broker.engine.lockouts.all() == []
    assert [c.mode for o in broker.outs for c in o.commands] == ["alert", "alert"]


def test_a_smaller_loss_under_a_longer_would_be_cooldown_says_it_changes_nothing(tmp_path):
    broker = desk(tmp_path, "cooldown_after_loss")
    losing_round_trip(broker, 110)                 # lost 220.37: tier 200, 15 minutes
    broker.now += 60 * NS
    before = len(broker.outs)
    losing_round_trip(broker, 60)                  # tier 100: 5 minutes, inside the 15
    [second] = records(broker, "cooldown_after_loss", before)
    assert second.what.startswith("would have taken no new action: its own lockout of the "
                                  "account (timer) held already until "), second.what
    assert not [c for o in broker.outs[before:] for c in o.commands]


def test_every_position_past_daily_unrealized_loss_in_alert_mode_is_recorded_once(tmp_path):
    broker = desk(tmp_path, "daily_unrealized_loss")
    for trip in range(2):                      # trial 17a on 1003: the same round trip twice
        before = len(broker.outs)
        broker.price(MNQ, "21000")
        broker.fill(MNQ, 1, "21000", None, 1, "21000")
        broker.now += NS
        broker.price(MNQ, "20790")             # open PnL -210.00 vs -200: a breach
        broker.now += NS
        broker.price(MNQ, "20780")             # still past: the same breach
        broker.price(MNQ, "20950")
        broker.price(MNQ, "20785")             # past again, the same position: the same breach
        broker.now += NS
        broker.fill(MNQ, -1, "20950", "-100", 0, "0")     # closed at -100: no tier of 100.37
        [d] = records(broker, "daily_unrealized_loss", before)
        assert d.mode == "alert" and d.action == "close_position", (trip, d)
        assert d.what == "would have closed the MNQ position", d.what
        broker.now += 85 * NS
    assert len(records(broker, "daily_unrealized_loss")) == 2
