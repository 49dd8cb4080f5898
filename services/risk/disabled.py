"""Accounts an admin disabled: why risk does not guard them, and what they did meanwhile.

Trial 2026-12-06: `riskctl accounts disable 1002 --now` while Demo 2 had a self-lockout; the
screens kept saying "guarded now" and "LOCKED OUT", the phone "account locked", while risk
enforced nothing; after `accounts enable 1002` the MNQ bought while disabled stayed open under
the lockout still in force.

- Off: the moment an account's rules in force become none (an admin's --now, or the roll that
  lands a waiting disable), risk keeps who, when and why (the words every screen shows:
  "disabled by admin:root at Sat 18:33:27 CST (trial disable 2)") and what the account held
  then (services/risk/carried.py's record).
- Back on with a lockout in force: what the account opened or grew while disabled is new
  under that lockout, as after a restart (Carried.added: a position the broker opened after
  the lock started is new whatever the record says; one held when guarding stopped is not).
  Orders placed meanwhile are cancelled as any order placed while locked.
Kept in the store's meta table (key 'off', off_json / off_from_json): a restarted risk still
says who disabled the account, when and why, and what it held then.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from typing import Optional

import attrs

from services.risk.carried import Carried
from shared import showtime

IN_CONFIG = "disabled in the config"


@attrs.define
class Off:
    by: str
    reason: str
    since_ns: int
    held: Carried

    def words(self, zone) -> str:
        """'disabled by admin:root at Sat 18:33:27 CST (trial disable 2)'."""
        when = showtime.start(self.since_ns, zone, self.since_ns) if self.since_ns else ""
        if not self.by:             # a waiting disable the roll landed, a reload
            return IN_CONFIG + (f" since {when}" if when else "")
        return (f"disabled by {self.by}" + (f" at {when}" if when else "")
                + (f" ({self.reason})" if self.reason else ""))


def held_now(account) -> Carried:
    """What the account holds as guarding stops: each position's signed size (fills its
    Position update lags included) and its working order ids."""
    contracts = set(account.positions) | set(account.ahead)
    return Carried({cid: account.exposure(cid) for cid in contracts if account.exposure(cid)},
                   set(account.orders))


def not_guarded_words(off: Optional[Off], zone) -> str:
    """Why an unguarded account is not guarded, as status, lockouts and the phone say it."""
    return off.words(zone) if off is not None else IN_CONFIG


ARMED_FOR = 30.0          # s: how long an armed `disable --now` waits for risk to read the edit
OFF_TITLE = "🔴 An account is no longer guarded"
AGAIN_TITLE = "🟢 An account is guarded again"


class Armed:
    """`accounts disable ACCOUNT --now`: armed (who, why) before the supervisor edits the
    file, so the reload that reads the disable applies it at once instead of announcing a wait
    for the roll that is not true (trial 2026-12-06: the phone got "takes effect at the roll"
    while the account stopped being guarded that second)."""

    def __init__(self, clock=None):
        self._mono = getattr(clock, "monotonic", None) or time.monotonic
        self._armed: dict[int, tuple[str, str, float]] = {}

    def arm(self, account_id: int, by: str, reason: str) -> None:
        self._armed[account_id] = (by, reason, self._mono() + ARMED_FOR)

    def due(self, fresh: dict, now: int) -> list[int]:
        """Armed accounts whose disable this reload made wait (fresh: new_waits())."""
        self._armed = {a: v for a, v in self._armed.items() if v[2] > self._mono()}
        return [aid for aid in list(self._armed)
                if any(NO_LONGER in r for r in fresh.get(aid, ((), {}))[0])]

    def take(self, account_id: int) -> tuple[str, str]:
        by, reason, _ = self._armed.pop(account_id)
        return by, reason


NO_LONGER = "account no longer guarded"     # services/risk/settings.merge's pending name


def off_lines(name: str, off: Optional[Off], lockouts_words: list[str], zone) -> list[str]:
    """'Demo 2 (strict) is no longer guarded, now: disabled by admin:root at ... (reason)',
    and each lockout riskd no longer enforces."""
    lines = [f"{name} is no longer guarded, now: {not_guarded_words(off, zone)}"]
    lines += [f"not enforced while it is disabled: {w}" for w in lockouts_words]
    return lines


def again_lines(engine, account_id: int, out, now: int, note: str = "") -> list[str]:
    """'Demo 2 (strict) is guarded again, now: enabled by admin:root (the firm reopened it)'
    (note: who and why, from the supervisor's reload; none for a file edit), its lockouts
    enforced again and what that closed or cancelled."""
    acct = engine.accounts.get(account_id)
    name = engine.account_name(account_id, acct.name if acct else "")
    lines = [f"{name} is guarded again, now" + (f": {note}" if note else "")]
    for words in lock_words(engine, account_id, now):
        lines.append(f"enforced again: {words}")
    for d in out.decisions:
        if d.account_id == account_id:
            lines.append(f"{d.action}: {d.reason}")
    return lines


def lock_words(engine, account_id: int, now: int) -> list[str]:
    """Each lockout of the account as alerts say it, with its end: 'account Demo 2 (strict)
    locked (self-lockout) by the trader, until Sat 18:49:50 CST'."""
    zone = getattr(engine, "zone", None) or dt.timezone.utc
    return [engine.lockouts.describe(lk)
            + (f", until {showtime.at(lk.until_ns, zone, now)}" if lk.until_ns else "")
            for lk in engine.lockouts.all(account_id)]


def off_json(off: dict) -> str:
    """The store's record of every disabled account (account id -> Off)."""
    return json.dumps({str(aid): {"by": o.by, "reason": o.reason, "since_ns": o.since_ns,
                                  "positions": o.held.positions,
                                  "orders": sorted(o.held.orders)}
                       for aid, o in sorted(off.items())}, sort_keys=True)


def off_from_json(text: str) -> dict:
    out = {}
    for key, body in json.loads(text or "{}").items():
        out[int(key)] = Off(str(body.get("by", "")), str(body.get("reason", "")),
                            int(body.get("since_ns", 0)),
                            Carried({str(k): int(v) for k, v in body.get("positions", {}).items()},
                                    {int(o) for o in body.get("orders", [])}))
    return out
