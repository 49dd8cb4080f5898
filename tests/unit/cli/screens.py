"""Status documents for the watch screen's unit tests: a trader's accounts at one instant."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from cli.watch.model import Reachability, WatchState
from shared.clock import NS_PER_S, to_ns
from shared.messages.control import SupervisorStatus, WorkerInfo
from shared.messages.market import BrokerConnection, PositionsTable
from shared.messages.risk import AccountStatus, LockoutState, PositionView, RuleValue
from shared.tradingday import TradingCalendar

CHICAGO = ZoneInfo("America/Chicago")
# Wednesday 25 Nov 2026, 14:03:27 in Chicago (20:03:27 UTC): the roll is at 17:00, 2h56m33s away
NOW = to_ns(dt.datetime(2026, 11, 25, 14, 3, 27, tzinfo=CHICAGO))
CALENDAR = TradingCalendar.make()
WORKERS = ("simbroker", "logging", "notify", "market", "risk", "enforcement")


def rule(name, value=None, limit=None, progress=None, enabled=True, mode="enforce", detail=""):
    d = lambda v: None if v is None else Decimal(str(v))      # noqa: E731
    return RuleValue(rule=name, enabled=enabled, mode=mode, value=d(value), limit=d(limit),
                     progress=progress, detail=detail)


def account(account_id=1001, name="SIM-DEMO-1", realized="-312.50", unrealized="45.00",
            progress=0.625, positions=None, lockouts=(), rules=None):
    return AccountStatus(
        account_id=account_id, name=name, ts_ns=NOW, trading_day="2026-11-25",
        balance=Decimal("49732.50"), realized=Decimal(realized), fees=Decimal("2.96"),
        unrealized=Decimal(unrealized), trades_today=4, open_orders=1,
        positions=list(positions if positions is not None else [PositionView(
            contract_id="CON.F.US.EP.Z26", symbol="EP", side="long", size=2,
            average_price=Decimal("6012.25"), last=Decimal("6012.70"),
            unrealized=Decimal("45.00"))]),
        rules=list(rules if rules is not None else [
            rule("max_contracts", 2, 5, 0.4),
            rule("daily_realized_loss", realized, 500, progress),
            rule("daily_net_loss", Decimal(realized) + Decimal(unrealized), 600, 0.445),
            rule("trade_frequency_limit", 1, 3, 0.33),
            rule("symbol_blocks", enabled=False),
            rule("drawdown_guard", enabled=False)]),
        lockouts=list(lockouts), next_roll_ns=CALENDAR.next_roll(NOW))


def lockout(kind="until_reset", rule_name="daily_realized_loss", until_ns=None, symbol=None,
            reason="realized -512.50 <= -500.00"):
    return LockoutState(id="L1", account_id=1001, kind=kind, rule=rule_name, since_ns=NOW,
                        until_ns=until_ns, symbol=symbol, reason=reason)


def state(*accounts, reachable=True) -> WatchState:
    s = WatchState()
    s.apply(Reachability(ok=reachable, reason="" if reachable else "no answer", ts_ns=NOW))
    s.apply(SupervisorStatus(pid=1, started_ns=NOW - 60 * NS_PER_S, config_path="riskd.toml",
                             workers=[WorkerInfo(name=n, state="running") for n in WORKERS]))
    s.apply(PositionsTable(connections=[BrokerConnection(hub="user", state="connected"),
                                        BrokerConnection(hub="market", state="connected")]))
    for a in accounts:
        s.apply(a)
    return s


def status_output(capsys, monkeypatch, supervisor_status, risk_reply) -> str:
    """What `riskctl status` prints at NOW, its supervisor answering supervisor_status and
    risk's status request risk_reply (any other worker: not running)."""
    from types import SimpleNamespace
    from cli.commands import status
    from shared.messages.risk import RiskStatusRequest
    from shared.messages.system import error, ok
    monkeypatch.setattr(status.time, "time_ns", lambda: NOW)

    class Ctx:
        json = False
        config_path = "no-such-riskd.toml"                  # the display zone's default

        def request(self, msg, **_kw):
            return ok(supervisor_status)

        def call(self, msg, **_kw):
            if isinstance(msg, RiskStatusRequest):
                return risk_reply
            return error("unreachable", "not running")

    status.run(SimpleNamespace(), Ctx())
    return capsys.readouterr().out
