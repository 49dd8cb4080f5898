"""A person's unlock in riskd's records (`riskctl unlock`), lifted in the replay at its moment.

The broker's history holds no unlock; riskd's records hold each lockout it cleared, with who
and, since riskd keeps it (LockoutChange.unlock_of), what the person asked to end: every
lockout of the account, or only a rule's and/or a symbol's. The replay asks its engine for the
same unlock at the same moment, so it lifts its own lockouts of that scope, whichever rules hold
them there (trial22c section 3: `riskctl unlock 1002`, every lockout, was replayed as an unlock
of cooldown_after_loss's only; the replay kept its own trade_frequency_limit lockout and closed
a buy the live riskd had let stand). The rows one unlock cleared are said once, together.
Records written before riskd kept the scope do not say it: riskd's audit trail then does
(cli/replay/unlockasked.py); with no line of it, the replay lifts that rule's lockout (and
symbol's) and, where it then still holds others, says that it cannot tell.
The notes describe the replay's own state in the replay's words: a read-only report of past
days never advises a live command (the engine's refusal names `riskctl unlock` commands for
the running riskd, which are not the replay's to give).
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

from cli.replay import agree
from cli.replay.riskdrecords import LiveUnlock
from services.risk.lockouts import CLEARED
from shared.messages.risk import LockoutState, unlock_asked

SWITCHED_OFF = "manual unlock is switched off"      # the engine's refusal under allow_unlock


def grouped(unlocks: Iterable[LiveUnlock]) -> list[list[LiveUnlock]]:
    """riskd's cleared rows in time order, those of one unlock together (same moment, person
    and scope asked; a row that does not say its scope is one of its own)."""
    out: list[list[LiveUnlock]] = []
    for u in sorted(unlocks, key=lambda u: u.ts_ns):
        last = out[-1][0] if out else None
        if last is not None and u.unlock_of and (last.ts_ns, last.by, last.unlock_of) == \
                (u.ts_ns, u.by, u.unlock_of):
            out[-1].append(u)
        else:
            out.append([u])
    return out


def _lockout(rule: str, symbol) -> str:
    return rule + (f" of {symbol}" if symbol else "")


def _held(locks: list[LockoutState], tz: dt.tzinfo, ended: bool = False) -> str:
    """The replay's own lockouts, in its words ('trade_frequency_limit until Mon 2026-12-07
    09:20:16 CST'; ended: 'set to end Mon ...')."""
    until = "set to end" if ended else "until"
    return ", ".join(_lockout(lk.rule, lk.symbol)
                     + (f" {until} {agree.when(lk.until_ns, tz)}" if lk.until_ns else "")
                     for lk in locks)


def _scope_words(asked) -> str:
    """What the person asked to end, as riskd's records say it ('' when they do not)."""
    if asked is None:
        return ""
    rule, symbol = asked
    if rule is None and symbol is None:
        return ", an unlock of every lockout of the account"
    if rule and symbol:
        return f", an unlock of {rule}'s lockout of {symbol} only"
    return f", an unlock of {rule or symbol}'s lockouts only"


def replay_unlock(engine, aid: int, group: list[LiveUnlock], feed: Callable, tz: dt.tzinfo
                  ) -> str:
    """The unlock of riskd's rows `group` done on the replay's engine at their moment (its
    outcome fed through `feed(out, ts)`); returns the note that says what it lifted."""
    u = group[0]
    asked = unlock_asked(u.unlock_of)
    rule, symbol = asked if asked is not None else (u.rule, u.symbol)
    out, refusal = engine.unlock(aid, symbol, u.by, u.reason, u.ts_ns, rule=rule)
    feed(out, u.ts_ns)
    lifted = [c.lockout for c in out.lockouts if c.change == CLEARED]
    still = engine.lockouts.all(aid)
    riskds = [_lockout(x.rule, x.symbol) for x in group]
    what = f"riskd's {' and '.join(riskds)} lockout{'s were' if len(riskds) > 1 else ' was'}"
    said = (f"{what} lifted at {agree.when(u.ts_ns, tz)} by {u.by} (riskd's records"
            f"{_scope_words(asked)})")
    # paired only with the replay's lockout of the same rule (and symbol) in force then: a
    # lockout of another rule the unlock lifts too, as asked, is said as that (trial25c F10:
    # "riskd's cooldown_after_loss lockout was lifted ...: the replay lifts its own then too
    # (self_lockout set to end ...)", another rule's lockout, taken 1.5 minutes later)
    same = [lk for lk in lifted if any((lk.rule, lk.symbol) == (x.rule, x.symbol)
                                       for x in group)]
    other = [lk for lk in lifted if lk not in same]
    if same:
        note = f"{said}: the replay lifts its own then too ({_held(same, tz, True)})"
        if other:
            note += f", and, as asked, its other lockouts ({_held(other, tz, True)})"
    elif lifted:
        note = (f"{said}; the replay held no {' or '.join(riskds)} lockout then: as asked, it "
                f"lifts its other lockouts ({_held(other, tz, True)})")
    elif refusal.startswith(SWITCHED_OFF):
        note = f"{said}; the replay lifted nothing then (the config replayed: {refusal})"
    elif still:
        note = (f"{said}; the replay lifted nothing then (it held no such lockout then; its "
                f"own: {_held(still, tz)})")
    else:
        note = f"{said}; the replay lifted nothing then (it held no lockout of the account then)"
    if asked is None and still and lifted:
        note += (f"; riskd's records (written before riskd kept what an unlock asked for) do "
                 f"not say whether every lockout of the account was asked to end: the replay "
                 f"still holds its own {_held(still, tz)}")
    elif asked is None and still and not lifted:
        note += ("; riskd's records (written before riskd kept what an unlock asked for) do "
                 "not say whether every lockout of the account was asked to end, so the "
                 "replay kept them")
    return note
