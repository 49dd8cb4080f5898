"""What an unlock leaves past its limit: the limits that lock the account again at once.

An admin's unlock ends the lockouts, not the trader's limits (RULES.md: the limits are the
trader's; an unlock is an escape hatch from a lockout, not a raise). An account still past a
daily limit is flattened and locked again by its next trade (or, for the rules that read open
PnL, its next price move): fresh-user trial, `riskctl unlock 1001` answered "2 lockout(s)
ended" and six seconds later daily_realized_loss (-614.03 vs -500) flattened it again. The
unlock's answer and its alert say so beforehand (still_past). A rule in alert mode past its
limit is said too, as such (its next trade is neither flattened nor locked: fresh-user trial
18a, `unlock --rule daily_realized_loss` of the lockout it took before a switch to alert mode
said nothing of it).
"""
from __future__ import annotations

import json

import attrs

from decimal import Decimal

from services.risk.lockouts import end_of
from services.risk.rules.base import QUOTE, ClockTick
from services.risk.rules.trade_frequency_limit import SLIDING
from shared import showtime
from shared.messages.risk import ENFORCE, PastLimit

# rules that judge the account's day as it stands (the event only wakes them)
DAY_RULES = ("daily_realized_loss", "daily_realized_profit", "daily_net_loss", "drawdown_guard")
FREQUENCY = "trade_frequency_limit"
COOLDOWN_WINDOWS = ("minute", "hour", "session")    # at the limit: the next trade's cooldown


def still_past(engine, account_id: int, now: int) -> list[PastLimit]:
    """The limits the account is past now, each with the end of the lockout it would take."""
    acct = engine.accounts.get(account_id)
    cfg = engine.settings.for_account(acct) if acct is not None else None
    if cfg is None:
        return []
    ctx = engine._ctx(acct)
    out = []
    for name in DAY_RULES:
        rule, params = engine.rules.get(name), getattr(cfg, name)
        if rule is None or not params.enabled:
            continue
        alert = params.mode != ENFORCE
        try:
            decisions = rule.evaluate(ctx, ClockTick(now), now, params)
        except Exception:          # a reading is never worth a failed unlock
            decisions = []
        for d in decisions:
            if d.lock is not None and d.value is not None and d.limit is not None:
                out.append(PastLimit(rule=name, value=d.value, limit=d.limit,
                                     until_ns=None if alert else d.lock.until_ns,
                                     on_quote=QUOTE in rule.listens, alert=alert))
    params, rule = getattr(cfg, FREQUENCY), engine.rules.get(FREQUENCY)
    if rule is not None and params.enabled:
        ends = {"day": engine.calendar.next_roll(now), "week": engine.calendar.week_end(now)}
        for m in rule.readings(ctx, now, params):
            if m.limit <= 0 or m.value < m.limit:
                continue
            if params.mode != ENFORCE:
                out.append(PastLimit(rule=FREQUENCY, value=Decimal(m.value),
                                     limit=Decimal(m.limit), alert=True,
                                     window=m.key if m.key in COOLDOWN_WINDOWS else ""))
            elif m.key in ends:
                out.append(PastLimit(rule=FREQUENCY, value=Decimal(m.value),
                                     limit=Decimal(m.limit), until_ns=ends[m.key]))
            elif m.key in COOLDOWN_WINDOWS:
                out.append(PastLimit(rule=FREQUENCY, value=Decimal(m.value),
                                     limit=Decimal(m.limit), window=m.key,
                                     until_ns=window_frees(engine, acct, m.key, int(m.limit),
                                                           now),
                                     cooldown_s=int(getattr(params, f"per_{m.key}_cooldown")),
                                     flatten=bool(params.flatten)))
    return out


def window_frees(engine, acct, window: str, limit: int, now: int) -> int:
    """From when a trade starts no cooldown: the window then holds limit - 2 trades, so the
    next one is the (limit - 1)th (a trade "reaches" the limit when it makes count == limit).
    Its oldest trades leave a sliding window (minute, hour) one span after they were made; the
    session's count starts again at the roll. Fresh-user trial: `riskctl unlock 1001` with 10
    of 10 trades this hour answered "3 lockouts ended" and the next buy locked the account
    again for 30 minutes. Trial 16a: the time said was when the window held limit - 1 trades,
    one trade early ("a trade before 14:55:57 starts a 1m00s cooldown"; a trade at 14:55:57.75
    was the 3rd of 3 and started it). A whole second, rounded up, as every end is shown."""
    if window not in SLIDING:
        return engine.calendar.next_roll(now)
    span = SLIDING[window]
    times = acct.trade_times_in(now - span, now)
    leave = len(times) - limit + 2           # trades that must leave the window first
    if leave <= 0 or not times:
        return now
    return showtime.up_to_second(times[min(leave, len(times)) - 1] + span)


def ended_past(past: list, holding: list) -> list:
    """The limits still past that an unlock (or a lockout's end by its time) warns of: every
    one when the account is free (holding: the account-wide lockouts still in force, none);
    while another lockout still holds it, every daily limit still past whose next lockout
    would outlast the ones holding it (its next trade, once they end, is flattened and the
    account locked again to the roll), whether or not that limit had a lockout of its own:
    fresh-user trial 19a, `unlock --rule daily_net_loss` under a cooldown said nothing of
    daily_realized_loss, past its limit with no lockout of its own (its breach had been
    "locked already, no new action" under daily_net_loss's), and the next trade after the
    cooldown locked the account to the roll. Not a limit the lockouts still in force outlast
    (their end is later: nothing new to say), nor a trade-count window's cooldown (the
    lockout in force cuts that trade already)."""
    if not holding:
        return list(past)
    last = max(end_of(lk) for lk in holding)
    return [p for p in past if not p.window
            and (p.until_ns is None or p.until_ns > last)]


def holding(lockouts, account_id: int) -> list:
    """The account-wide lockouts in force on the account (ended_past's holding)."""
    return [lk for lk in lockouts.covering(account_id) if lk.symbol is None]


def with_past(changes: list, past: list) -> list:
    """The cleared lockout changes of an unlock with each limit still past on the change of
    its own rule's lockout (the first of that rule), or on the last change when no lockout of
    its rule ended."""
    if not changes or not past:
        return list(changes)
    mine: dict[int, list] = {}
    for p in past:
        at = next((i for i, c in enumerate(changes) if c.lockout.rule == p.rule),
                  len(changes) - 1)
        mine.setdefault(at, []).append(p)
    return [attrs.evolve(c, still_past=mine[i]) if i in mine else c
            for i, c in enumerate(changes)]


def still_listed(engine, account_id: int, changes: list) -> list[PastLimit]:
    """The symbols an unlock freed (symbol_blocks' lockouts ended) that symbol_blocks still
    lists: the next trade in one is closed and the symbol locked again, as a limit still past."""
    from services.risk.lockouts import SYMBOL_BLOCKS
    acct = engine.accounts.get(account_id)
    cfg = engine.settings.for_account(acct) if acct is not None else None
    rule = engine.rules.get(SYMBOL_BLOCKS)
    if cfg is None or rule is None:
        return []
    params = cfg.symbol_blocks
    if not params.enabled or params.mode != ENFORCE:
        return []
    out = []
    for c in changes:
        symbol = c.lockout.symbol
        if c.lockout.clears_on != SYMBOL_BLOCKS or not symbol or not rule.blocks(params, symbol):
            continue
        saved = _saved_list(engine, account_id, params)
        if not rule.blocks(attrs.evolve(params, symbols=saved), symbol):
            out.append(PastLimit(rule=SYMBOL_BLOCKS, value=Decimal(0), limit=Decimal(0),
                                 symbol=symbol, removal_waits=True,
                                 remove_with=(f"riskctl rules override --account {account_id} "
                                              f"--rule {SYMBOL_BLOCKS} --reason TEXT")))
            continue
        kept = [e for e in saved                # the file's list, a waiting one kept
                if not rule.blocks(attrs.evolve(params, symbols=[e]), symbol)]
        out.append(PastLimit(rule=SYMBOL_BLOCKS, value=Decimal(0), limit=Decimal(0),
                             symbol=symbol,
                             remove_with=(f"riskctl rules set {account_id} {SYMBOL_BLOCKS} "
                                          f"symbols '{json.dumps(kept)}'")))
    return out


def _saved_list(engine, account_id: int, params) -> list[str]:
    """symbol_blocks' list as the config has it: the one waiting for the roll when a loosening
    waits (trial25b F8: the unlock told the admin to remove a symbol already removed, waiting),
    else the one in force."""
    from services.risk.lockouts import SYMBOL_BLOCKS
    waiting = engine.settings.waiting(account_id).get(SYMBOL_BLOCKS, {}).get("symbols")
    return list(params.symbols if waiting is None else waiting[1])
