"""Where a replayed day riskd guarded parts from what riskd did, said in the account's notes.

On a day riskd's records reach every fill of (cli/replay/riskdrecords.py), the replay can put
its own closing decisions beside riskd's. A close both made is carried out by riskd's own fill
(cli/replay/runner.py) and changes nothing; what is left is said, per trading day, with why
(fresh-user trial 18c, section 7: a difference of -90.02 on a day riskd guarded with the same
config, and no word of why):
- riskd's closes the replay did not make: decisions the replay's config or bar prices did not
  reach (an entry made while locked that riskd let fill and closed is matched: the runner lets
  it fill and riskd's own fill closes it, as live);
- the replay's closes riskd did not make, carried out at a bar price.
A close of riskd's that found nothing to do at the broker closed nothing, and is not one of
riskd's closes here (cli/replay/riskdrecords.py, LiveClose.nothing; the runner leaves it out).
A person's unlock in riskd's records is carried out by the runner and said there.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable, Iterable

from cli.replay.riskdrecords import LiveClose
from services.risk.state import symbol_of
from shared import showtime


def when(ts_ns: int, tz: dt.tzinfo) -> str:
    """A moment in a replay's notes, in the display zone the table uses, with its date and the
    second it happened in ('Mon 2026-12-07 03:09:02 CST'; shared/showtime.py). The notes gave
    UTC ('2026-12-07 09:09:02Z') beside a table in CST (fresh-user trial 20b, section 9)."""
    return showtime.at(ts_ns, tz, 0, seconds=True)


def _close(ts_ns: int, rule: str, action: str, contract_id, tz: dt.tzinfo) -> str:
    return f"{when(ts_ns, tz)} {rule} {action}" + \
        (f" {symbol_of(contract_id)}" if contract_id else "")


def parted(day: dt.date, difference: Decimal, riskd_only: Iterable[LiveClose],
           replay_only: Iterable[tuple], tz: dt.tzinfo) -> list[str]:
    """The notes of one trading day riskd guarded: riskd's closes the replay left unmatched
    and the replay's own closes (ts, rule, action, contract), with why."""
    parts = []
    live = list(riskd_only)
    if live:
        parts.append("riskd's closes the replay did not make: "
                     + ", ".join(_close(c.ts_ns, c.rule, c.action, c.contract_id, tz)
                                 for c in live)
                     + " (the config replayed, or the bar prices, did not reach them)")
    own = list(replay_only)
    if own:
        parts.append("the replay's closes riskd did not make: "
                     + ", ".join(_close(*c, tz) for c in own)
                     + " (carried out at a bar price)")
    if not parts:
        return []
    differs = f"yet guarded differs from actual by {difference:+,.2f}" if difference else \
        "guarded and actual agree, but the decisions differ"
    return [f"{day}: riskd guarded this day (its records hold every fill), {differs}: "
            + "; ".join(parts)]


def day_notes(days: dict, day_of: Callable[[int], dt.date], guarded_days: set,
              riskd_only: list[LiveClose], replay_only: list[tuple],
              tz: dt.tzinfo) -> list[str]:
    """parted() for every day in guarded_days, from the whole replay's lists."""
    out = []
    for day in sorted(guarded_days):
        tally = days.get(day)
        if tally is None:
            continue
        out += parted(day, tally.guarded - tally.actual,
                      [c for c in riskd_only if day_of(c.ts_ns) == day],
                      [c for c in replay_only if day_of(c[0]) == day], tz)
    return out
