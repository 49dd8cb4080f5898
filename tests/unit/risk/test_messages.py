"""Risk and enforcement messages survive the one codec unchanged (nested, optional, Decimal)."""
from decimal import Decimal

from shared import codec
from shared.messages.enforce import Command, CommandResult
from shared.messages.risk import (AccountRules, AccountStatus, Decision, HistoryReply,
                                  LockoutChange, LockoutState, LockSpec, PositionView,
                                  RuleValue, RuleWarning)
from shared.messages.system import ok

LOCK = LockoutState(id="l1", account_id=1001, kind="timer", rule="cooldown_after_loss",
                    since_ns=1, until_ns=2, symbol="MNQ", reason="x")
DECISION = Decision(id="d1", ts_ns=5, rule="daily_realized_loss", account_id=1001,
                    action="flatten", value=Decimal("-501.2400000001"), limit=Decimal("-500"),
                    lock=LockSpec(kind="until_reset", until_ns=9), reason="r", event_ns=4)
SAMPLES = [
    DECISION,
    RuleWarning(id="w1", ts_ns=1, rule="r", account_id=1, value=Decimal("-400"),
                limit=Decimal("-500"), warn_at=0.8),
    LockoutChange(change="added", lockout=LOCK, ts_ns=3),
    AccountStatus(account_id=1001, name="SIM", ts_ns=1, trading_day="2026-11-25",
                  balance=Decimal("50000.5"),
                  positions=[PositionView(contract_id="CON.F.US.MNQ.Z26", symbol="MNQ",
                                          side="long", size=2, average_price=Decimal("21000"))],
                  rules=[RuleValue(rule="max_contracts", enabled=True, mode="enforce",
                                   value=Decimal(2), limit=Decimal(5), progress=0.4,
                                   params={"limit": "5"})],
                  lockouts=[LOCK]),
    HistoryReply(decisions=[DECISION], lockouts=[LockoutChange(change="cleared", lockout=LOCK,
                                                               ts_ns=4, by="admin:bob")]),
    AccountRules(account_id=1, name="A", pending=["daily_realized_loss"]),
    Command(id="d1.1", decision_id="d1", account_id=1001, action="reduce_position",
            contract_id="CON.F.US.MNQ.Z26", size=2, stop_price=Decimal("20990.25")),
    CommandResult(command_id="d1.1", account_id=1001, status="done", attempts=1),
]


def test_every_sample_round_trips():
    for msg in SAMPLES:
        assert codec.decode(codec.encode(msg, "risk", 1, 2, 3)).msg == msg
    reply = ok(SAMPLES[3])
    assert codec.decode(codec.encode(reply)).msg == reply
