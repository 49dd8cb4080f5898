"""A limit an account is still past after an unlock, in words (risk's answer and notify's
alert say it alike; services/risk/pastlimits.py finds them). Its reading and limit read as
every screen shows a rule's (shared/rulenumbers.py: money with 2 decimals, counts whole;
trial 2026-12-05: "(-690.18 vs -600)")."""
from __future__ import annotations

from shared.messages.risk import PastLimit
from shared.rulenumbers import versus_text
from shared.when import duration


def past_words(p: PastLimit, until: str) -> str:
    """'still past daily_realized_loss (-614.03 vs -500.00): its next trade will be flattened
    and the account locked again until Mon 17:00 CST' (until: the end as shown, '' for none)."""
    if p.alert:
        return alert_words(p)
    if p.window:
        return window_words(p, until)
    if p.symbol:
        return listed_words(p)
    when = "its next trade or price move" if p.on_quote else "its next trade"
    again = f" until {until}" if until else ""
    return (f"still past {p.rule} ({versus_text(p.rule, p.value, p.limit)}): {when} will be "
            f"flattened and the account locked again{again}")


def alert_words(p: PastLimit) -> str:
    """'still past daily_realized_loss (-366.44 vs -300.00), a rule in alert mode: its next
    trade is neither flattened nor locked (at most an alert of what enforce mode would do)'
    (fresh-user trial 18a: an unlock of the lockout the rule took before its switch to alert
    mode said nothing of it; docs/rules.md, What every rule has: alert mode records a breach
    once, so the same one seen again is not alerted again)."""
    per = f" per {p.window}" if p.window else ""
    when = "its next trade or price move is" if p.on_quote else "its next trade is"
    return (f"still past {p.rule} ({versus_text(p.rule, p.value, p.limit)}{per}), a rule in "
            f"alert mode: {when} neither flattened nor locked (at most an alert of what "
            f"enforce mode would do)")


def window_words(p: PastLimit, until: str) -> str:
    """'still past trade_frequency_limit (10 vs 10 per hour): a trade before 10:42 CST starts
    a 30m00s cooldown (the window frees a trade then)': a trade-count window at its limit
    (fresh-user trial: the unlock said "3 lockouts ended", the next buy locked it 30 min)."""
    what = f"starts a {duration(p.cooldown_s)} cooldown"
    if p.flatten:
        what = "is flattened and " + what
    if p.window == "session":
        frees = "the session's count starts again at the roll"
    else:
        frees = f"its {p.window}'s window frees a trade then"
    before = f" before {until}" if until else ""
    return (f"still past {p.rule} ({versus_text(p.rule, p.value, p.limit)} per {p.window}): "
            f"a trade{before} {what} ({frees})")


def also_words(rule: str, until: str) -> str:
    """'this lockout also held trade_frequency_limit's cooldown until Sun 11:48:59 CST, which
    ends with it': an unlock of one rule's lockout that had taken over another rule's
    (LockoutChange.also_rule; fresh-user trial 15b: `unlock --rule cooldown_after_loss` ended
    trade_frequency_limit's minute too, without a word)."""
    return f"this lockout also held {rule}'s cooldown until {until}, which ends with it"


def listed_words(p: PastLimit) -> str:
    """'CL is still listed in symbol_blocks: CL is locked again at its next trade (closed),
    at the next config reload (any edit, or `riskctl config reload`) and whenever riskd
    resyncs with the broker (a restart, a reconnect); remove it with `riskctl rules set 1002
    symbol_blocks symbols '[]'` (a loosening: it waits for the roll unless overridden)'
    (fresh-user trial 15b: `unlock --symbol CL` said nothing, the next CL buy was closed and
    locked again; trial 15c: a bare `config reload` locked it again with no trade, which the
    warning did not say: the lockout lasts as long as the symbol is listed, docs/rules.md
    symbol_blocks)."""
    again = (f"{p.symbol} is locked again at its next trade (closed), at the next config "
             f"reload (any edit, or `riskctl config reload`) and whenever riskd resyncs with "
             f"the broker (a restart, a reconnect)")
    if p.removal_waits:       # trial25b F8: already taken off in the file, waiting
        return (f"{p.symbol} is still listed in {p.rule} until the trading-day roll: its "
                f"removal is saved and waits for the roll (a loosening); until then {again}; "
                f"`{p.remove_with}` takes it off now")
    return (f"{p.symbol} is still listed in {p.rule}: {again}; "
            f"remove it with `{p.remove_with}` (a loosening: it waits for the roll unless "
            "overridden: riskctl rules override)")


def stays_words(changes: list, account: str, zone, now_ns: int) -> str:
    """'; Demo 2 (strict, id 1002) stays locked until 20:58:34 CST by cooldown_after_loss':
    after an unlock's "1 lockout ended", the lockout that still holds the scope it freed
    (LockoutChange.over, the one that ends last), '' when none does (fresh-user trial 18a:
    `unlock --rule daily_realized_loss` answered only "1 lockout ended" and the next buys
    were closed by the cooldown still holding the account). account: as every answer names
    it ('Demo 2 (strict, id 1002)')."""
    from shared import showtime
    from shared.lockwords import lock_end_words
    over = next((c.over for c in changes if c.over is not None), None)
    if over is None:
        return ""
    end = (f"until {showtime.at(over.until_ns, zone, now_ns)}" if over.until_ns
           else lock_end_words(over))
    scope = account + (f" {over.symbol}" if over.symbol else "")
    return f"; {scope} stays locked {end} by {over.rule}"
