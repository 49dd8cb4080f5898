"""A limit an account is still past after an unlock, in words (risk's answer and notify's
alert say it alike; services/risk/pastlimits.py finds them). Its reading and limit read as
every screen shows a rule's (shared/rulenumbers.py: money with 2 decimals, counts whole;
trial 2026-12-05: "(-690.18 vs -600)")."""
from __future__ import annotations

from shared.messages.risk import PastLimit
from shared.rulenumbers import versus_text


def past_words(p: PastLimit, until: str) -> str:
    """'still past daily_realized_loss (-614.03 vs -500.00): its next trade will be flattened
    and the account locked again until Mon 17:00 CST' (until: the end as shown, '' for none)."""
    when = "its next trade or price move" if p.on_quote else "its next trade"
    again = f" until {until}" if until else ""
    return (f"still past {p.rule} ({versus_text(p.rule, p.value, p.limit)}): {when} will be "
            f"flattened and the account locked again{again}")
