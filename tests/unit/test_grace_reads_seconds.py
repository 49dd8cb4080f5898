"""no_stop_loss_grace's reading is whole seconds, never money (trial15b: history's VALUE read
"10.00 vs 10.00" for a stop missing 10 s against a 10 s grace)."""
from __future__ import annotations

from decimal import Decimal

from shared.rulenumbers import versus_text


def test_the_grace_reading_is_seconds():
    assert versus_text("no_stop_loss_grace", Decimal(10), Decimal(10)) == "10 vs 10"
    assert versus_text("daily_net_loss", Decimal(-10), Decimal(-600)) == "-10.00 vs -600.00"
