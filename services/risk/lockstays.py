"""A rule setting loosened now leaves the lockout its old setting put on: the answer says so.

Fresh-user trial (trial14b): `rules override --account 1002 --rule daily_realized_loss` took
the waiting limit 1.00 -> 300.00 early and answered only that; the lockout the 1.00 limit had
put on (until the roll, Mon 17:00) stayed in force, and status still said "LOCKED OUT ...
reached the daily loss limit -1.00". A lockout is a fact of the past (the breach happened),
not of the setting: loosening the setting never ends it. The answer now names each lockout of
a rule the change touched that stays, until when, and the one command that ends only it:
`riskctl unlock ACCOUNT --rule RULE --reason TEXT` (docs/rules.md, "Overrides").
"""
from __future__ import annotations

from shared import showtime
from shared.lockwords import kind_words, lock_end_words


def staying_lines(engine, changes: dict[int, dict], now: int, zone) -> list[str]:
    """One line per lockout in force of a rule whose setting changed (changes: account id ->
    {rule: ...}, as rejudge.changed_rules takes it): it stays, and how it ends."""
    lines = []
    for aid in sorted(changes):
        rules = set(changes[aid])
        for lk in engine.lockouts.all(aid):
            if lk.rule not in rules:
                continue
            who = engine.account_name(aid)
            if lk.until_ns:
                words = kind_words(lk.kind)
                when = showtime.at(lk.until_ns, zone, now)
                end = f"{words} at {when}" if words.startswith("until") else f"until {when}"
            else:
                end = lock_end_words(lk)
            scope = f"{lk.symbol} on {who}" if lk.symbol else who
            lines.append(
                f"the lockout {lk.rule} put on {scope} under its old setting stays ({end}): "
                f"a looser setting does not end it; `riskctl unlock {aid} --rule {lk.rule} "
                f"--reason TEXT` ends only that lockout")
    return lines
