"""A rule's reading made shorter for a narrow RULES cell, its actionable part kept.

no_stop_loss_grace's reading is a countdown: "MNQ has no stop: closed in 2s unless a stop is
placed" (services/risk/rules/no_stop_loss_grace.py). Cut at the cell's width it read "MNQ has
no stop: cl…" at 80 columns (fresh-user trial 18a): the countdown, the one thing to act on,
was what went. fitting() gives the longest of its shorter forms that fits, the countdown in
every one ("MNQ no stop, closed in 2s"); any other reading is returned as it is (the view
cuts it with '…', docs/operations.md). Once riskd's close of the position is on its way the
reading says so, "MNQ has no stop: riskd's close in flight for 15s" (trial 18b: it read
"closed in 0s" for the 35 s the broker held the close), and its shorter forms keep that
("MNQ riskd closing 15s", "MNQ closing 15s" where that does not fit); a failed close whose
next try waits, "MNQ has no stop: riskd's close failed 2s ago, tries again in 3s", keeps when
it is tried again ("MNQ close failed, again in 3s").

A count that riskd's close in flight leaves open reads as its warning reads it, with the
warning's aside after it (shared/rulenumbers.py row_aside: "2/3 per minute 67% (the 3rd
starts a 1m00s cooldown); counting 1 fill that may be riskd's own close still in flight
(...)"); cut at 80 columns the aside went, and with it why the row counts 2. Its shorter forms
keep the count and a shorter aside ("2/3 per minute 67%; incl. 1 maybe riskd's close",
"4/5 80%; not counting 1 riskd is closing"; past a size limit, "3/2 150%; 1 riskd is
closing")."""
from __future__ import annotations

import re

from shared.plural import plural
from shared.rulenumbers import BEFORE_ROLL_ASIDE, BEING_CLOSED_ASIDE, CLOSING_ASIDE, HELD_ASIDE

GRACE = "no_stop_loss_grace"
ALSO = "; also "     # between the positions' readings (services/risk/rules/no_stop_loss_grace.py)
_READING = re.compile(
    r"^(?P<what>(?P<symbol>\S+) (?:has no stop|(?P<side>\S+) (?P<size>\d+): its (?:\d+ )?stops? "
    r"covers? (?P<cover>\d+) of \d+)): (?:(?P<count>closed in \S+) unless "
    r"(?:a stop is placed|stops cover all \d+)|(?P<flight>riskd's close in flight for "
    r"(?P<since>[0-9dhms]+))|(?P<failed>riskd's close failed (?P<ago>[0-9dhms]+) ago, tries "
    r"again in (?P<next>[0-9dhms]+)))(?P<tail>.*)$")


_ALL = re.compile(r" closes all (?P<all>\d+) \((?P<bought>\d+) bought since")


def _flight_tail(tail: str) -> str:
    """What the in-flight reading's tail says, short: what riskd's close takes beyond the
    position it was sent for, and what becomes of a stop ('all 2; a stop now is cancelled')."""
    parts = []
    grew = _ALL.match(tail)
    if grew:
        parts.append(f"all {grew['all']}")
    if " cancels its " in tail:
        parts.append("its stop cancelled" if tail.endswith("its stop") else "stops cancelled")
    elif "a stop placed now is cancelled" in tail:
        parts.append("a stop now is cancelled")
    if " opened since it was sent" in tail:             # a flip during the close: it too
        parts.insert(0, "this one too")
    return "; ".join(parts)


def aside_forms(text: str) -> list[str]:
    """A row ending in a warning's aside (model._rule_lines): its shorter forms, the count
    and an aside in each, longest first ([] for a row with no aside)."""
    head, sep, aside = text.partition("; ")
    held, closing = HELD_ASIDE.match(aside), CLOSING_ASIDE.match(aside)
    being, early = BEING_CLOSED_ASIDE.match(aside), BEFORE_ROLL_ASIDE.match(aside)
    if not sep or not (held or closing or being or early):
        return []
    if held:
        n = int(held["n"])
        asides = [aside, f"counting {plural(n, 'fill')} that may be riskd's own close still"
                  f" in flight", f"counting {plural(n, 'fill')} that may be riskd's close",
                  f"incl. {n} maybe riskd's close"]
    elif closing:
        n = int(closing["n"])
        asides = [aside, f"not counting {n} riskd is closing", f"+{n} riskd is closing"]
    elif being:
        n = int(being["n"])
        asides = [aside, f"{n} riskd is closing", f"{n} closing"]
    else:                   # a window over the roll (trial24a F7): how many are yesterday's
        n = int(early["n"])
        asides = [aside, f"{n} before the roll", f"{n} before roll"]
    core = head.split(" (", 1)[0]            # the count and its share, without what it does
    forms = {f"{h}; {a}" for h in (head, core) for a in asides} - {text}
    return sorted(forms, key=lambda f: (-len(f), f))


# a count's window, shorter (trial20c section 6: '3/3 per m…' at 80 columns)
WINDOWS = {"per minute": "/min", "per hour": "/h", "per session": "/session", "per day": "/day",
           "per week": "/week"}
_WINDOW = re.compile(r"^(?P<count>\d+/\d+) (?P<window>per (?:minute|hour|session|day|week))"
                     r"(?P<rest>.*)$")


def window_forms(text: str) -> list[str]:
    """A count in a window ('3/3 per minute 100% (...)'): its shorter forms, longest first,
    the window in each, cut at a word, never in one ('3/3/min 100%', '3/3/min'); [] for any
    other reading. A warning's short aside stays in the longer ones ('2/3/min 67%; incl. 1
    maybe riskd's close')."""
    m = _WINDOW.match(text)
    if m is None:
        return []
    count, window = m["count"], WINDOWS[m["window"]]
    _, sep, aside = m["rest"].partition("; ")
    share = m["rest"].split(" (", 1)[0].split("; ", 1)[0].strip()
    bare = [f"{count} {m['window']} {share}".strip(), f"{count}{window} {share}".strip(),
            f"{count}{window}"]
    forms = [f"{b}; {aside}" for b in bare[1:]] if sep else []
    return [f for f in dict.fromkeys(forms + bare) if f != text]


def shorter(rule: str, text: str) -> list[str]:
    """The reading's shorter forms, longest first ([] for a reading that has none). A grace
    row of several positions (their readings joined by "; also ", the first the closest to its
    close) keeps the first one's forms and how many more there are: "ES closed in 3s (+1
    more)", then the first's forms alone."""
    if rule != GRACE:
        forms = aside_forms(text)
        return list(dict.fromkeys(forms + window_forms(forms[-1] if forms else text)))
    first, *others = text.split(ALSO)
    if others:
        own = [first, *one_shorter(first)]
        more = f" (+{len(others)} more)"
        return list(dict.fromkeys([f + more for f in own] + own[1:]))
    return one_shorter(text)


def one_shorter(text: str) -> list[str]:
    """One position's grace reading's shorter forms, longest first."""
    m = _READING.match(text)
    if m is None:
        return []
    symbol, tail = m["symbol"], m["tail"]
    brief = "no stop" if m["cover"] is None else f"stop {m['cover']}/{m['size']}"
    if m["failed"]:
        # a failed close whose next try waits (trial19b finding 4): when it is tried again
        again = f"close failed, again in {m['next']}"
        forms = [f"{m['what']}: {m['failed']}{tail}", f"{symbol} {brief}, {again}",
                 f"{symbol} {again}", f"{symbol} failed, again in {m['next']}",
                 f"failed, again in {m['next']}"]
    elif m["flight"]:
        count, short = m["flight"], f"riskd closing {m['since']}"
        mini = _flight_tail(tail)
        forms = [f"{m['what']}: {count}{tail}", f"{symbol} {brief}, {short}{tail}",
                 f"{symbol} {short}{tail}"]
        if mini:
            forms += [f"{symbol} {brief}, {short} ({mini})", f"{symbol} {short} ({mini})"]
        forms += [f"{symbol} {short}", f"{symbol} closing {m['since']}", short]
    else:
        count = m["count"]
        forms = [f"{m['what']}: {count}{tail}", f"{symbol} {brief}, {count}{tail}",
                 f"{symbol} {count}{tail}", f"{symbol} {count}", count]
    return list(dict.fromkeys(forms))


def fitting(rule: str, text: str, width: int) -> str:
    """The text when it fits `width`, else the longest shorter form that does, else the text
    (cut by the caller)."""
    if len(text) <= width:
        return text
    return next((f for f in shorter(rule, text) if len(f) <= width), text)
