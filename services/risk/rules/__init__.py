"""The rule registry: every rule of RULES.md, listed explicitly in its order; no duplicates."""
from __future__ import annotations

from services.risk.rules.auth_loss_guard import AuthLossGuard
from services.risk.rules.base import Rule
from services.risk.rules.cooldown_after_loss import CooldownAfterLoss
from services.risk.rules.daily_net_loss import DailyNetLoss
from services.risk.rules.daily_realized_loss import DailyRealizedLoss
from services.risk.rules.daily_realized_profit import DailyRealizedProfit
from services.risk.rules.daily_unrealized_loss import DailyUnrealizedLoss
from services.risk.rules.drawdown_guard import DrawdownGuard
from services.risk.rules.max_contracts import MaxContracts
from services.risk.rules.max_contracts_per_instrument import MaxContractsPerInstrument
from services.risk.rules.max_unrealized_profit import MaxUnrealizedProfit
from services.risk.rules.no_stop_loss_grace import NoStopLossGrace
from services.risk.rules.session_block_outside import SessionBlockOutside
from services.risk.rules.symbol_blocks import SymbolBlocks
from services.risk.rules.trade_frequency_limit import TradeFrequencyLimit
from services.risk.rules.trade_management import TradeManagement


def build(rules: tuple[Rule, ...]) -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for rule in rules:
        if not rule.name or not rule.listens:
            raise ValueError(f"{type(rule).__name__}: a rule needs a name and events to listen to")
        if rule.name in out:
            raise ValueError(f"rule {rule.name!r} is registered twice")
        out[rule.name] = rule
    return out


RULES: dict[str, Rule] = build((
    MaxContracts(),
    MaxContractsPerInstrument(),
    DailyRealizedLoss(),
    DailyUnrealizedLoss(),
    MaxUnrealizedProfit(),
    TradeFrequencyLimit(),
    CooldownAfterLoss(),
    NoStopLossGrace(),
    SessionBlockOutside(),
    AuthLossGuard(),
    SymbolBlocks(),
    TradeManagement(),
    DailyRealizedProfit(),
    DailyNetLoss(),
    DrawdownGuard(),
))

__all__ = ["RULES", "Rule", "build"]
