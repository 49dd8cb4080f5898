"""Where a replayed day riskd guarded parts from what riskd did, said in the account's notes.

On a day riskd's records reach every fill of (cli/replay/riskdrecords.py), the replay can put
its own closing decisions beside riskd's. A close both made is carried out by riskd's own fill
(cli/replay/runner.py) and changes nothing; what is left is said, per trading day, with why
(fresh-user trial 18c, section 7: a difference of -90.02 on a day riskd guarded with the same
config, and no word of why):
- riskd's closes the replay did not make: decisions the replay's config or bar prices did not
  reach, or a person's action made (an admin's lockout or flatten, a self-lockout: the replay
  plays those at their moment, cli/replay/persons.py; one it did not match with riskd's is
  said as whose it was) (an entry made while locked that riskd let fill and closed is matched: the runner lets
  it fill and riskd's own fill closes it, as live);
- riskd's closes the replay made too, but which no fill of riskd's carried out and whose records
  do not say they found the position flat (enforcement's journal no longer holds it; one that
  found it flat is left to the trader's fill that closed it, LiveClose.found_flat_on, and
  differs in nothing): the replay carried them out at a bar price, which riskd's day never
  had, and what follows from that (a loss realized earlier, a flatten set off by it) parts
  from riskd's day (fresh-user trial 20c, finding 4: a difference of +10.48 with no note with
  one-minute bars); one whose journal says it failed is said apart, with when and why it
  failed: a replay takes riskd's closes as carried out, so there the guarded day is what the
  close would have made, not riskd's day;
- riskd's closes the replay made at another moment, within 2 minutes but too far from riskd's,
  or set off by another moment, to be matched (the
  same trial, one-second bars: riskd's 03:54:57 flatten was said to be one the config or the
  bar prices "did not reach"; the replay had made it 4 s earlier); never a lockout's close,
  which is of one entry (trial22c 3a: another entry's close 38 s apart is another close);
- riskd's lockout closes of an entry the replay's lockout blocked (riskd cannot refuse an
  order: it let the entry fill and closed it, more than a second after its fill, too late to be
  taken as closing it at its fill: trial 23c F7, risk restarting, its close 5 s late): said so,
  never as one the config or the bar prices did not reach (the same lockout blocked it);
- the replay's closes riskd did not make, carried out at a bar price.
A close of riskd's that found nothing to do at the broker closed nothing, and is not one of
riskd's closes here (cli/replay/riskdrecords.py, LiveClose.nothing; the runner never lists it).
A person's unlock in riskd's records is carried out by the runner and said there.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable, Iterable

from cli.replay.riskdrecords import LiveClose
from services.risk.lockouts import LOCKOUT_RULE
from services.risk.state import symbol_of
from shared import showtime
from shared.lockwords import ADMIN_LOCKOUT, SELF_LOCKOUT
from shared.retrying import KILL_SWITCH_RULES

# riskd's closes a person's action set off, not a rule's: the replay plays them at their
# moment (cli/replay/persons.py); one it still did not match is said as the person's, never as
# one "the config replayed, or the bar prices, did not reach" (trial22b finding 7)
BY_A_PERSON = {ADMIN_LOCKOUT: "made by an admin's lockout",
               SELF_LOCKOUT: "made by the trader's own lockout",
               **{rule: "made by an admin's flatten, the kill switch"
                  for rule in KILL_SWITCH_RULES}}

# a close of the replay's this far from riskd's same close (rule, action, contract) at most is
# said to be riskd's made at another moment; further apart it is another close
ANOTHER_MOMENT_NS = 120 * 1_000_000_000


def when(ts_ns: int, tz: dt.tzinfo) -> str:
    """A moment in a replay's notes, in the display zone the table uses, with its date and the
    second it happened in ('Mon 2026-12-07 03:09:02 CST'; shared/showtime.py). The notes gave
    UTC ('2026-12-07 09:09:02Z') beside a table in CST (fresh-user trial 20b, section 9)."""
    return showtime.at(ts_ns, tz, 0, seconds=True)


def _close(ts_ns: int, rule: str, action: str, contract_id, tz: dt.tzinfo) -> str:
    return f"{when(ts_ns, tz)} {rule} {action}" + \
        (f" {symbol_of(contract_id)}" if contract_id else "")


def _apart(ts_ns: int, riskds: int) -> str:
    """How far the replay's moment is from riskd's: '4 s earlier', '1 min 5 s later'."""
    s = round(abs(ts_ns - riskds) / 1e9)
    span = f"{s // 60} min {s % 60} s" if s >= 60 else f"{s} s"
    return f"{span} {'earlier' if ts_ns < riskds else 'later'}"


def _blocked_entry(c: LiveClose, blocked: list[tuple]):
    """The entry of c's contract a lockout blocked in the replay (ts, contract, rule, the
    trader's next fill there or None) that riskd's lockout close c is of: at or before c,
    within ANOTHER_MOMENT_NS, with no fill of the trader's on the contract between them."""
    if c.rule != LOCKOUT_RULE or c.contract_id is None:
        return None
    return next((b for b in blocked if b[1] == c.contract_id
                 and 0 <= c.ts_ns - b[0] <= ANOTHER_MOMENT_NS
                 and (b[3] is None or b[3] > c.ts_ns)), None)


def parted(day: dt.date, difference: Decimal, riskd_only: Iterable[LiveClose],
           replay_only: Iterable[tuple], tz: dt.tzinfo, unfilled: Iterable[tuple] = (),
           decided: Iterable[tuple] = (), blocked: Iterable[tuple] = ()) -> list[str]:
    """The notes of one trading day riskd guarded: riskd's closes the replay made too but no
    fill of riskd's carried out (unfilled: (riskd's LiveClose, when the replay closed it)),
    riskd's closes the replay left unmatched (made at another moment when `decided`, the
    replay's unmatched closing commands (ts, rule, action, contract), holds the same rule,
    action and contract that day; a lockout's close of an entry the replay blocked, `blocked`:
    (ts, contract, rule, the trader's next fill there) of each) and the replay's own closes (ts, rule, action, contract),
    with why."""
    parts = []
    failed = [u for u in unfilled if u[0].failed_ns]
    nofill = [u for u in unfilled if not u[0].failed_ns]
    if failed:
        parts.append("riskd's closes that failed live (enforcement's journal: their last try "
                     "failed, and no fill of riskd's carried them out), which the replay "
                     "carried out at a bar price: a replay takes every close of riskd's as "
                     "carried out, so the guarded figure, and what follows from it, is what "
                     "that close would have made, not riskd's day: "
                     + ", ".join(_close(c.ts_ns, c.rule, c.action, c.contract_id, tz)
                                 + f" (failed at {when(c.failed_ns, tz)}"
                                 + (f": {c.failed_detail}" if c.failed_detail else "")
                                 + f"; the replay's at {when(at, tz)})" for c, at in failed))
    if nofill:
        parts.append("riskd's closes no fill of riskd's was left to carry out (its records "
                     "hold none from the replay's moment to 2 minutes after riskd's), which "
                     "the replay carried out at a bar price, a price riskd's day never had: "
                     + ", ".join(_close(c.ts_ns, c.rule, c.action, c.contract_id, tz)
                                 + f" (the replay's at {when(at, tz)})" for c, at in nofill))
    others = list(decided)
    elsewhere, live, moved = [], [], set()
    for c in riskd_only:
        # a lockout's close is of one entry: another entry's close is another close (trial22c
        # 3a), never riskd's made at another moment
        same = [d for d in others if d[1:] == (c.rule, c.action, c.contract_id)
                and abs(d[0] - c.ts_ns) <= ANOTHER_MOMENT_NS and c.rule != LOCKOUT_RULE]
        if same:
            near = min(same, key=lambda d: abs(d[0] - c.ts_ns))
            others.remove(near)
            moved.add(near[:3])
            elsewhere.append(_close(c.ts_ns, c.rule, c.action, c.contract_id, tz)
                             + f" (the replay's at {when(near[0], tz)}, "
                             + _apart(near[0], c.ts_ns) + ")")
        else:
            live.append(c)
    if elsewhere:
        parts.append("riskd's closes the replay made at another moment, not set off by what "
                     "set riskd's off (more than a bar and a second from it, or another fill "
                     "or moment), so not taken as the same close: "
                     + ", ".join(elsewhere))
    persons = [c for c in live if c.rule in BY_A_PERSON]
    live = [c for c in live if c.rule not in BY_A_PERSON]
    blocked = list(blocked)
    of_blocked = [(c, b) for c in live for b in [_blocked_entry(c, blocked)] if b is not None]
    live = [c for c in live if all(c is not x for x, _b in of_blocked)]
    if of_blocked:
        parts.append("riskd's lockout closes of entries the replay blocked (the same lockout "
                     "blocked them in the replay; riskd cannot refuse an order at the broker: "
                     "it let the entry fill and closed it, later than the second of its fill "
                     "that a close set off by it comes in, so the guarded day leaves the entry "
                     "out where riskd's day holds its fill and close): "
                     + ", ".join(_close(c.ts_ns, c.rule, c.action, c.contract_id, tz)
                                 + f" (the entry at {when(b[0], tz)}, blocked by {b[2]}; "
                                 + f"riskd's close {_apart(c.ts_ns, b[0])})"
                                 for c, b in of_blocked))
    if live:
        parts.append("riskd's closes the replay did not make: "
                     + ", ".join(_close(c.ts_ns, c.rule, c.action, c.contract_id, tz)
                                 for c in live)
                     + " (the config replayed, or the bar prices, did not reach them)")
    if persons:
        parts.append("riskd's closes a person's action made, which the replay played at its "
                     "moment but did not carry out as riskd's own close: "
                     + ", ".join(_close(c.ts_ns, c.rule, c.action, c.contract_id, tz)
                                 + f" ({BY_A_PERSON[c.rule]})" for c in persons))
    # a close of the replay's that is riskd's made at another moment is said there only
    own = [o for o in replay_only if (o[0], o[1], o[2]) not in moved]
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
              tz: dt.tzinfo, unfilled: list[tuple] = (), decided: list[tuple] = (),
              blocked: list[tuple] = ()) -> list[str]:
    """parted() for every day in guarded_days, from the whole replay's lists."""
    out = []
    for day in sorted(guarded_days):
        tally = days.get(day)
        if tally is None:
            continue
        out += parted(day, tally.guarded - tally.actual,
                      [c for c in riskd_only if day_of(c.ts_ns) == day],
                      [c for c in replay_only if day_of(c[0]) == day], tz,
                      [u for u in unfilled if day_of(u[0].ts_ns) == day],
                      [d for d in decided if day_of(d[0]) == day],
                      [b for b in blocked if day_of(b[0]) == day])
    return out
