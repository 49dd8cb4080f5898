"""6. trade_frequency_limit: too many trades in a sliding window -> cooldown; per day / week ->
flatten and lock until the roll (day) or the week's last roll (week).

Counting follows the firms: every fill counts (opening, adding, reducing, closing), voided
ones do not, and riskd's own closes never do (RULES.md, "Whose trade it is"). A window
"reaches" its limit with the trade that makes count == limit. Windows and cooldowns run from
the fill's own time: an old fill counts, and a cooldown that has already elapsed is not taken.
Warnings: each window warns on its own, while one more trade is still allowed (readings),
also in the step another window's breach locks the account (engine _judge), and while locked
when their breach would lock the account past the lockouts in force (locks_until).
A fill riskd holds as no one's until its close in flight is answered (services/risk/exits.py
hold) counts toward the warning as the trader's, and the warning says so (warn_readings).
A sliding window's cooldown runs from the trade that brought it to its limit in time order,
so fills arriving out of order (a late fill completing a window) end the same way.
"""
from __future__ import annotations

import math
from decimal import Decimal

from services.risk.rules.base import (TRADE, ClockTick, Measure, Rule, left_open, progress,
                                      roll_end, timer, until_reset)
from services.risk.state import symbol_of
from shared.messages.risk import ACTION_NONE, FLATTEN, TIMER, LockSpec
from shared.plural import plural
from shared.latewords import clock
from shared.rulenumbers import ASIDE, ordinal, reached_words

NS = 1_000_000_000


def counts(ctx, now: int) -> dict[str, int]:
    acct, cal = ctx.account, ctx.calendar
    return {
        "minute": acct.trades_in(now - 60 * NS, now),
        "hour": acct.trades_in(now - 3600 * NS, now),
        "session": acct.trades_today,
        "day": acct.trades_today,
        "week": acct.trades_in(cal.week_start(now), now),
    }


def held_counts(ctx, now: int) -> dict[str, int]:
    """Per window, today's fills riskd holds as no one's until its close in flight is answered
    (services/risk/exits.py hold: on the side that close closes, fitting none of what it
    expected): riskd's or the trader's, not known yet. Empty when there are none."""
    acct = ctx.account
    times = [f.ts_ns for f in (acct.trades.get(t) for t in acct.riskd.held)
             if f is not None and f.by_riskd and not f.voided and f.ts_ns <= now]
    if not times:
        return {}
    week = ctx.calendar.week_start(now)
    return {"minute": sum(t > now - 60 * NS for t in times),
            "hour": sum(t > now - 3600 * NS for t in times),
            "session": len(times), "day": len(times),
            "week": sum(t > week for t in times)}


def before_roll(ctx, window: str, at: int) -> int:
    """How many of a sliding window's trades up to `at` were made before the trading day's
    roll: the window slides over the roll (docs/rules.md), so right after it the hour's row
    read "7/10 per hour" beside the header's "trades 0" and a cooldown for "10 trades this
    hour" came 3 trades into the day (fresh-user trial24a F7); 0 for the other windows, or
    when the window starts at the roll or later."""
    day = ctx.account.trading_day
    if window not in SLIDING or day is None:
        return 0
    start, since = ctx.calendar.start_of(day), at - SLIDING[window]
    return ctx.account.trades_in(since, min(start - 1, at)) if since < start - 1 else 0


def roll_words(n: int) -> str:
    """'7 of them before the roll' (shared/rulenumbers.py BEFORE_ROLL_ASIDE reads it back)."""
    return f"{n} of them before the roll"


def limits(params) -> dict[str, int]:
    return {"minute": params.per_minute, "hour": params.per_hour,
            "session": params.per_session, "day": params.per_day, "week": params.per_week}


SLIDING = {"minute": 60 * NS, "hour": 3600 * NS}
FLATTENING = ("day", "week")            # windows whose limit flattens whatever `flatten` says


def reached(acct, window: str, at: int, limit: int):
    """The time of the first trade, from this fill's own time to one window later, whose
    window holds `limit` trades (None: none does). A fill arriving late (after a restart, or
    reordered) can complete a window that the later fills, seen first, did not: the cooldown
    runs from the same trade whatever the order the fills arrived in."""
    span = SLIDING[window]
    for t in acct.trade_times_in(at - 1, at + span - 1):
        if acct.trades_in(t - span, t) >= limit:
            return t
    return None


class TradeFrequencyLimit(Rule):
    name = "trade_frequency_limit"
    listens = frozenset({TRADE})
    description = "too many trades per minute/hour/session: cooldown; per day/week: flatten"
    keyed = True
    windowed = True

    def measure(self, ctx, now, params):
        return max(self.readings(ctx, now, params), key=lambda m: m.progress, default=None)

    def readings(self, ctx, now, params, held=None):
        """One reading per window in use. A window warns from ceil(warn_at x limit) trades,
        but at the latest while one more trade is still allowed (limit - 1: 2 of 3 a minute),
        never at 0 (a limit of 1 cannot warn: its first trade is the breach). held: fills
        not known yet to be riskd's or the trader's, per window, counted in (held_counts)."""
        c, lim = counts(ctx, now), limits(params)
        out = []
        for window, limit in lim.items():
            if limit > 0:
                k = (held or {}).get(window, 0)
                n = c[window] + k
                warn_from = (max(1, min(math.ceil(params.warn_at * limit - 1e-9), limit - 1))
                             if limit > 1 else limit + 1)             # 1: never
                early = before_roll(ctx, window, now)
                aside = (f"{ASIDE}{roll_words(early)}" if early else "") + (
                    f"{ASIDE}counting {plural(k, 'fill')} that may be riskd's own close"
                    f" still in flight (whose {'it is' if k == 1 else 'they are'} is known"
                    f" when that close is answered)" if k else "")
                out.append(Measure(Decimal(n), Decimal(limit), progress(Decimal(n), limit),
                                   f"{n} of {limit} trades per {window}{aside}", key=window,
                                   warn_from=Decimal(warn_from)))
        return out

    def warn_readings(self, ctx, now, params):
        """The warnings count a fill riskd holds until its close in flight is answered (a sell
        of the trader's while riskd's sell closes the same contract: hold) as the trader's,
        and say so: a warning too early costs little, a cooldown with no warning before it
        costs the trader's trust (docs/rules.md "Whose trade it is")."""
        return self.readings(ctx, now, params, held_counts(ctx, now))

    def acts_while_locked(self, ctx, now, params, m):
        """A window whose breach flattens (the day's and week's, the others with `flatten`)
        acts on the positions the lockout left open; a cooldown alone only locks the account
        again (its warning comes when the lockout ends, if still due: warn_freed)."""
        return self.breach_flattens(params, m) and left_open(ctx, now)

    def breach_flattens(self, params, m):
        """The day's and week's windows flatten, the others only with `flatten`."""
        return m.key in FLATTENING or params.flatten

    def locks_until(self, ctx, now, params, m):
        """A trade made while locked counts (docs/rules.md), so the next one can reach a
        window's limit. The day's and week's lock the account until the roll (the week's
        last roll); a sliding window's or the session's starts its cooldown from that trade,
        made now at the earliest: until now + its cooldown at least. Past the lockouts in
        force it is warned while locked, even flat (lockedwarn.py); trial21c: the hour's
        10th trade, made under cooldown_after_loss's cooldown, lengthened it by 6 minutes
        with no warning at 8 or 9 of 10."""
        if m.key == "day":
            return roll_end(ctx, now)
        if m.key == "week":
            return ctx.calendar.week_end(now)
        seconds = {"minute": params.per_minute_cooldown, "hour": params.per_hour_cooldown,
                   "session": params.per_session_cooldown}.get(m.key, 0)
        return now + seconds * NS if seconds > 0 else None

    def evaluate(self, ctx, event, now, params):
        if isinstance(event, ClockTick):        # a rule change, no trade (rejudge.py)
            return self.judge_counts(ctx, now, params)
        if ctx.change != "new" or event.voided or event.by_riskd:
            return []
        at = min(now, event.ts_ns)              # the fill's own time
        c, lim = counts(ctx, at), limits(params)
        cooldowns = {"minute": params.per_minute_cooldown, "hour": params.per_hour_cooldown,
                     "session": params.per_session_cooldown}
        hits = []        # (lock, flatten?, window)
        theirs = set()   # the windows whose count this fill made (its own time reached it)
        early = {}       # window -> how many of its count were before the roll
        for window, seconds in cooldowns.items():
            if lim[window] <= 0:
                continue
            if window in SLIDING:
                when = reached(ctx.account, window, at, lim[window])
                if when is not None:
                    c[window] = ctx.account.trades_in(when - SLIDING[window], when)
                    early[window] = before_roll(ctx, window, when)
            else:
                when = at if c[window] >= lim[window] else None
            if when is not None and when + seconds * NS > now:
                hits.append((timer(when, seconds), params.flatten, window))
                if when == at:
                    theirs.add(window)
        hits += day_and_week(ctx, c, lim, now)
        running = {w for w in theirs if w in SLIDING
                   and running_before(ctx.account, w, at, lim[w], cooldowns[w])}
        said = exit_words(event, c, lim, theirs, running, ctx.account)
        if ctx.found_theirs:
            # a cooldown it starts (none running at its time): the trader's last trade may be
            # long past, so the words say which trades made it. One it extends reads as the
            # count alone: a result can credit riskd's own fill to the trader for a moment
            # before the next result takes it back (tests/unit/risk/test_trade_counted_under_
            # a_taken_over_cooldown.py), and "your buy of 1 MNQ" would name riskd's buy
            fresh = [h for h in hits if h[2] not in SLIDING or not running_before(
                ctx.account, h[2], at, lim[h[2]], cooldowns[h[2]])]
            said = found_words(ctx, event, fresh, c, lim, theirs)
        for window, n in early.items():
            if n:
                said[window] = "; ".join(x for x in (said.get(window), roll_words(n)) if x)
        return self._decided(ctx, params, now, c, lim, hits, said)

    def judge_counts(self, ctx, now, params):
        """A rule change in force now (services/risk/rejudge.py), no trade: every count against
        the limits now in force. The day's and week's (a per_day set to today's count or below
        flattens and locks until the roll at once), and a sliding window or the session
        already at or past its limit (RULES.md: enabling or tightening applies at once; a count
        reaching its limit acts at once): its cooldown, from the account's latest trade, as
        that trade would have started it, while it still runs. Fresh-user trial 2026-12-06:
        `rules enable` answered "nothing held breaks it now" at 53 of 50 trades per session,
        then only a warning came ("at 106% of its limit")."""
        c, lim = counts(ctx, now), limits(params)
        if ctx.tightened is not None:
            # only a window whose limit the change lowered can be newly past it: one already
            # at its limit under the old setting had its breach then (an admin's unlock may
            # have ended it: the next trade locks again, not a config edit; trial 22a F6)
            lim = {w: (n if f"per_{w}" in ctx.tightened else 0) for w, n in lim.items()}
        hits = windows_past(ctx.account, c, lim, now, params) + day_and_week(ctx, c, lim, now)
        return self._decided(ctx, params, now, c, lim, hits)

    def _decided(self, ctx, params, now, c, lim, hits, exits=None):
        if not hits:
            return []
        lock, _, window = max(hits, key=lambda h: h[0].until_ns)
        flatten = any(h[1] for h in hits)
        said = (exits or {}).get(window, "")
        return [self.decide(ctx, params, now, FLATTEN if flatten else ACTION_NONE,
                            reached_words(c[window], window, lim[window])
                            + (f" ({said})" if said else ""),
                            value=Decimal(c[window]), limit=Decimal(lim[window]), lock=lock)]


def exit_words(fill, c: dict, lim: dict, theirs: set,
               running: frozenset | set = frozenset(), acct=None) -> dict[str, str]:
    """window -> 'your sell of 1 MNQ (long 1 left) counted as the 6th trade this minute' for
    a sliding window the trader's own exit (a closing fill: pnl set) took to or past its limit
    (theirs: the windows whose count this fill itself made) while the window's cooldown was
    running: past it (the window held its limit before it), or at it with the cooldown an
    earlier trade started still running (running: running_before; trial23a finding 5: a close
    as the 3rd of 3 a minute, the 1st having left the window, extended the cooldown with no
    such words) (docs/rules.md: every fill counts, exits too). Trial15a: a trader who closed
    during a cooldown read only "6 trades this minute reached the limit of 3; extended ..." and
    not that the close was the trade. What it sold or bought, and what it left (exit_said):
    trial24a F4, a sell of 1 of a long 2 read "your close of MNQ" with long 1 still open."""
    if fill.pnl is None:              # an opening half-turn: not an exit
        return {}
    said = exit_said(fill, acct)
    return {w: f"{said} counted as the {ordinal(c[w])} trade this {w}"
            for w in theirs if c[w] > lim[w] or w in running}


def exit_said(fill, acct=None) -> str:
    """'your sell of 1 MNQ (long 1 left)', '(MNQ flat after it)', '(short 2 after it)' (a
    reversal); what it left only when it is the contract's latest fill riskd knows (a fill
    that came late is said without it: the position now is not what it left)."""
    sym = symbol_of(fill.contract_id)
    head = f"your {'buy' if fill.side == 0 else 'sell'} of {fill.size} {sym}"
    if acct is None:
        return head
    key = (fill.ts_ns, fill.trade_id)
    if any((f.ts_ns, f.trade_id) > key for f in acct.trades.values()
           if f.contract_id == fill.contract_id and not f.voided):
        return head
    left = acct.exposure(fill.contract_id)
    if left == 0:
        return f"{head} ({sym} flat after it)"
    held = f"{'long' if left > 0 else 'short'} {abs(left)}"
    reversed_ = (left > 0) == (fill.side == 0)      # the side it traded: a reversal
    return f"{head} ({held} after it)" if reversed_ else f"{head} ({held} left)"


def found_words(ctx, fill, hits: list, c: dict, lim: dict, theirs: set) -> dict[str, str]:
    """window -> 'your sell of 2 MNQ at 13:59:35, taken for riskd's own close until 14:00:15,
    is your own trade: counted from its own time; the 3 trades this minute: 13:59:10,
    13:59:20, 13:59:35' for a fill riskd had taken for its close and found to be the trader's
    now (ctx.found_theirs), for each window whose breach it is one of the trades of: the
    cooldown it starts comes after the trader's last trade, and says which trades made it (trial24c 4: "3 trades this minute reached the limit of 3" 40 s
    after the last trade, no word of which)."""
    zone = ctx.zone
    head = (f"{exit_said(fill)} at {clock(fill.ts_ns, zone)}, taken for riskd's own close "
            f"until {clock(ctx.found_theirs, zone)}, is your own trade: counted from its own "
            f"time")
    out = {}
    if ctx.account.trade_times.get(fill.trade_id) != fill.ts_ns:
        return out          # not counted as the trader's trade (not today's): nothing to say
    for lock, _flatten, w in hits:
        if w not in SLIDING:
            if w in theirs:
                out[w] = head
            continue
        end = reached(ctx.account, w, fill.ts_ns, lim[w]) or fill.ts_ns
        if not end - SLIDING[w] < fill.ts_ns <= end:
            continue        # trades before it made this window's breach: said then
        times = ctx.account.trade_times_in(end - SLIDING[w], end)
        shown = ", ".join(clock(t, zone) for t in times) if len(times) <= 5 else \
            f"the first at {clock(times[0], zone)}, the last at {clock(times[-1], zone)}"
        out[w] = f"{head}; the {c[w]} trades this {w}: {shown}"
    return out


def running_before(acct, window: str, at: int, limit: int, seconds: int) -> bool:
    """The sliding window's cooldown was running at `at`, started by a trade before it (one
    whose window, up to it, held `limit` trades, its cooldown not over by `at`)."""
    if seconds <= 0:
        return False
    span, cooldown = SLIDING[window], seconds * NS
    return any(acct.trades_in(t - span, t) >= limit
               for t in acct.trade_times_in(at - cooldown, at - 1))


def windows_past(acct, c: dict, lim: dict, now: int, params) -> list[tuple]:
    """(lock, flatten, window) of each sliding window and the session whose count, as of the
    account's latest trade, is at or past its limit, with the cooldown that trade starts
    (none once it has run out). `c` gets the count the reason names."""
    latest = acct.trade_times_in(-1, now)
    if not latest:
        return []
    last = latest[-1]
    cooldowns = {"minute": params.per_minute_cooldown, "hour": params.per_hour_cooldown,
                 "session": params.per_session_cooldown}
    hits = []
    for window, seconds in cooldowns.items():
        if lim[window] <= 0:
            continue
        n = acct.trades_in(last - SLIDING[window], last) if window in SLIDING else c[window]
        if n >= lim[window] and last + seconds * NS > now:
            c[window] = n
            hits.append((timer(last, seconds), params.flatten, window))
    return hits


def day_and_week(ctx, c: dict, lim: dict, now: int) -> list[tuple]:
    """(lock, flatten, window) of the day's and week's limits reached: flatten and lock until
    the roll (day) or the week's last roll (week)."""
    hits = []
    if lim["day"] > 0 and c["day"] >= lim["day"]:
        hits.append((until_reset(ctx, now), True, "day"))
    if lim["week"] > 0 and c["week"] >= lim["week"]:
        hits.append((LockSpec(kind=TIMER, until_ns=ctx.calendar.week_end(now)), True, "week"))
    return hits
