"""The risk engine exactly as the risk worker builds it, for one replay of one config.

Same Engine class, same RuleSettings (profiles, per-account overrides, disabled accounts),
same trading calendar and holidays files, same allow_unlock; the only additions are the
--set settings on top of each account's rules, and deterministic decision ids.
"""
from __future__ import annotations

import os

from cli.replay.overrides import apply_sets
from cli.replay.runner import ids
from services.risk.app import holiday_files
from services.risk.engine import Engine
from services.risk.settings import RuleSettings, resolve_account_rules
from shared import showtime


def calendar_of(loaded):
    return loaded.config.trading_day.calendar(os.path.dirname(loaded.path))


def build_engine(loaded, sets: dict, tz=None) -> Engine:
    """tz: the display zone the engine's words and the replay's notes give times in (the
    command's, as its table; else the replayed config's, as the risk worker sets it)."""
    def resolve(config, acct):
        rules = resolve_account_rules(config, acct)
        return rules if rules is None or not sets else apply_sets(rules, sets)

    engine = Engine(calendar_of(loaded), RuleSettings(loaded.config, resolve=resolve),
                    ids=ids(), allow_unlock=loaded.config.admin.allow_unlock)
    engine.holiday_files = holiday_files(loaded.config, loaded.path)
    engine.zone = tz or showtime.zone_of(loaded.config)
    return engine
