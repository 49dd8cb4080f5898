"""A limit an account is still past after an unlock, in words (risk's answer and notify's
alert say it alike; services/risk/pastlimits.py finds them)."""
from __future__ import annotations

from decimal import Decimal

from shared.messages.risk import PastLimit


def past_words(p: PastLimit, until: str) -> str:
    """'still past daily_realized_loss (-614.03 vs -500): its next trade will be flattened and
    the account locked again until Mon 17:00 CST' (until: the end as shown, '' for none)."""
    when = "its next trade or price move" if p.on_quote else "its next trade"
    again = f" until {until}" if until else ""
    return (f"still past {p.rule} ({figure(p.value)} vs {figure(p.limit)}): {when} will be "
            f"flattened and the account locked again{again}")


def figure(value) -> str:
    """A reading as a limit is written: -614.03, -500, 3."""
    v = Decimal(value)
    return f"{v:.0f}" if v == v.to_integral_value() else f"{v:.2f}"
