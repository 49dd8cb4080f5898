"""The watch screen's frame cost (no terminal): build the Screen and lay it out, as each pass does.

- frame 80x24 / 160x50: one account with positions, 15 rules, a lockout and 20 actions:
  frames/s (the loop needs 10/s; anything far above leaves the CPU to riskd).
- 12 accounts (the compact table): frames/s.
"""
from __future__ import annotations

import time
from decimal import Decimal

from cli.watch.model import build_screen
from cli.watch.view import render
from shared.messages.enforce import CommandResult
from shared.messages.risk import Decision, PositionView
from tests.bench.report import above
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, rule, state

RULE_NAMES = ("max_contracts", "max_contracts_per_instrument", "daily_realized_loss",
              "daily_unrealized_loss", "max_unrealized_profit", "trade_frequency_limit",
              "cooldown_after_loss", "no_stop_loss_grace", "session_block_outside",
              "auth_loss_guard", "symbol_blocks", "trade_management", "daily_realized_profit",
              "daily_net_loss", "drawdown_guard")


def busy_account(account_id: int, name: str):
    positions = [PositionView(contract_id=f"CON.F.US.{r}.Z26", symbol=r, side="long", size=1,
                              average_price=Decimal("100.25"), last=Decimal("101"),
                              unrealized=Decimal("1.50")) for r in ("MNQ", "MES", "EP", "ENQ")]
    rules = [rule(n, -100 - i, 500, 0.2 + i / 20) for i, n in enumerate(RULE_NAMES)]
    return account(account_id, name, positions=positions, rules=rules, lockouts=[lockout()])


def frames_per_second(s, width: int, height: int, seconds: float = 1.0) -> float:
    n, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        render(build_screen(s, NOW + n, CHICAGO, CALENDAR, 0), width, height)
        n += 1
    return n / (time.perf_counter() - started)


def run(report) -> None:
    one = state(busy_account(1001, "SIM-DEMO-1"))
    for i in range(20):
        one.apply(Decision(id=f"d{i}", ts_ns=NOW + i, rule="max_contracts", account_id=1001,
                           action="reduce_position"))
        one.apply(CommandResult(command_id=f"d{i}.1", account_id=1001, status="done",
                                event_ns=NOW, first_answer_ns=NOW + 40_000_000))
    report.add("watch: frame 80x24 (build + layout)", frames_per_second(one, 80, 24),
               "frames/s", goal=above(10))
    report.add("watch: frame 160x50 (build + layout)", frames_per_second(one, 160, 50),
               "frames/s", goal=above(10))
    many = state(*[busy_account(2000 + i, f"COMBINE-{i:02d}") for i in range(12)])
    report.add("watch: frame 80x24, 12 accounts", frames_per_second(many, 80, 24),
               "frames/s", goal=above(10))
