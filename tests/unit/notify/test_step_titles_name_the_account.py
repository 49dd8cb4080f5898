"""A step's alert names its account and says lockout enforcement in words (fresh-user trial
2026-12-06: an account locked until the roll and past trade_frequency_limit bought again; the
phone got "⚠️ 2 breaches on : lockout, trade_frequency_limit", without the account's name, with
"lockout" listed as a breach rule, and no account_name in riskd's log record of it)."""
from __future__ import annotations

from services.notify.alertlog import account_fields
from services.notify.steps import step_alert
from services.notify.templates import Context, build
from shared.messages.risk import LOCKED_ALREADY, Decision, LockSpec, LockoutState
from tests.unit.notify.test_commands import CHI, S, T0

ROLL = T0 + 7 * 3600 * S                       # Tue 17:00 CST
DAILY = LockoutState(id="L1", account_id=1002, kind="until_reset", rule="daily_realized_loss",
                     since_ns=T0 - 600 * S, until_ns=ROLL, by="rule")
CTX = Context(tz=CHI, accounts={1002: "Demo Two"}, locks={"L1": DAILY})


def the_buy_while_locked(*rules: str) -> list[Decision]:
    """What one step of risk publishes for the buy: lockout enforcement closes it, and each
    rule still past its limit breaches again with a lockout the one in force outlasts."""
    out = [Decision(id="d1", ts_ns=T0, rule="lockout", account_id=1002,
                    action="close_position", contract_id="CON.F.US.MNQ.Z26",
                    by="lockout (daily_realized_loss's)",
                    reason="MNQ position grew by 1 while account Demo Two locked")]
    for i, rule in enumerate(rules):
        out.append(Decision(id=f"d{i + 2}", ts_ns=T0, rule=rule, account_id=1002,
                            action="flatten", by=f"rule {rule}",
                            suppressed=f"{LOCKED_ALREADY}: flatten under way",
                            lock=LockSpec(kind="timer", until_ns=T0 + 1800 * S)))
    return out


def test_a_step_with_lockout_enforcement_names_the_account_and_counts_only_breaches():
    alert = step_alert(the_buy_while_locked("trade_frequency_limit"), CTX)
    assert alert.title == ("⚠️ 1 breach on Demo Two (id 1002): trade_frequency_limit, with lockout "
                           "enforcement"), alert.title
    assert alert.account == "Demo Two (id 1002)"
    assert account_fields(alert) == {"account": 1002, "account_name": "Demo Two (id 1002)"}


def test_three_rules_past_their_limits_with_enforcement_stopped():
    ctx = Context(tz=CHI, accounts=CTX.accounts, locks=CTX.locks, enforcement_down_ns=T0 - S)
    alert = step_alert(the_buy_while_locked("daily_net_loss", "daily_realized_loss",
                                            "trade_frequency_limit"), ctx)
    assert alert.title.startswith(
        "⚠️ 3 breaches on Demo Two (id 1002): daily_net_loss, daily_realized_loss, "
        "trade_frequency_limit, with lockout enforcement"), alert.title


def test_a_lone_lockout_enforced_alert_keeps_its_account_name():
    alert = build(the_buy_while_locked()[0], CTX)
    assert alert.title == ("🔒 Lockout enforced on Demo Two (id 1002): locked until Tue 17:00 CST "
                           "(daily_realized_loss)"), alert.title
    assert account_fields(alert) == {"account": 1002, "account_name": "Demo Two (id 1002)"}
