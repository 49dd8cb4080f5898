""""🔒 Lockout enforced" says until when as risk knew it, not as notify heard it.

Fresh-user trial 2026-12-06 (trial14a): after a kill -9 of the supervisor and a new start, a
buy on Demo 1 gave "🔒 Lockout enforced on Demo 1 (id 1001): locked until Sun 09:57:15 CST
(trade_frequency_limit)" while the account was locked until Mon 17:00 by daily_net_loss (the
alert's own reason line said so): notify had heard only of the lockout taken since it started.
Risk, which knows every lockout, names the one its enforcement acted for (Decision.under)."""
import pytest

from services.notify.templates import Context, build
from shared.messages.risk import LockoutState, LockSpec, Decision
from tests.unit.notify.test_commands import CHI, S, T0
from tests.unit.risk.desk import MNQ, Desk

pytestmark = pytest.mark.timeout(30)

ACCOUNTS = {1001: "Demo 1"}


def test_the_alert_names_the_lockout_risk_acted_for_not_the_one_notify_heard_of():
    heard = LockoutState(id="L2", account_id=1001, kind="timer", rule="trade_frequency_limit",
                         since_ns=T0 - 10 * S, until_ns=T0 + 50 * S, by="rule")
    d = Decision(id="d9", ts_ns=T0, rule="lockout", account_id=1001, action="close_position",
                 contract_id="CON.F.US.MNQ.Z26",
                 reason="MNQ position opened while account Demo 1 locked until the roll by "
                        "daily_net_loss",
                 under=LockSpec(kind="until_reset", until_ns=T0 + 30 * 3600 * S),
                 under_rule="daily_net_loss")
    title = build(d, Context(tz=CHI, accounts=ACCOUNTS, locks={"L2": heard})).title
    assert title.startswith("🔒 Lockout enforced on Demo 1 (id 1001): locked until "), title
    assert title.endswith("(daily_net_loss)"), title
    assert "trade_frequency_limit" not in title


def test_risk_names_the_longest_lockout_covering_the_scope_in_its_decision():
    desk = Desk(max_contracts={"limit": 5})
    desk.engine.self_lock(1001, desk.now, session=True)              # until the roll
    desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 60 * S)  # and a timer
    desk.wait(1)
    desk.filled(1, MNQ, 21000)
    [d] = [d for d in desk.decisions(acted=False) if d.rule == "lockout"]
    assert (d.under_rule, d.under.kind) == ("self_lockout", "until_reset"), d
    assert d.under.until_ns == desk.engine.calendar.next_roll(desk.now)
