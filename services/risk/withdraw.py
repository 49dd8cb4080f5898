"""Withdrawing what risk sent for a reason that no longer holds (a mixin of the Engine).

Trial 2026-12-06: a flatten the market had refused stayed pending in enforcement, and ran when
the market opened, after an admin had unlocked the account (or disabled it: riskd had just
said it no longer guards it); a failed close's retry already sent closed a position of an
account riskd no longer guarded. A lockout that ended by itself did the same: its flatten,
held for the closed market, closed the position of an account no longer locked once the
market opened after the lockout's time, or the roll, had ended it. Now:
- a lockout ends (lockouts_ended: the one path of every end -- an admin's unlock in
  services/risk/acting.py, its time in tick() and apply_snapshot(), the roll, the broker's
  condition clearing, a symbol no longer blocked): the account's commands in flight for the
  lockouts ended -- the lockout's own closes and cancels of a scope no lockout covers any
  more, and the action of the rule that set an ended lockout, decided since it started -- are
  withdrawn, and the withdraw says what ended it (ended_words: "the lockout ended at its
  time", "... at the roll (the session reset)", "... (admin:root)");
- an account no longer guarded (engine.guarding_changed: `accounts disable`, a reload): every
  command in flight for it is withdrawn.
A command not sent yet (a retry waiting for its time) is dropped from the outbox. One sent is
taken back with a WithdrawCommand on the commands topic (shared/messages/enforce.py): it is
kept in the outbox, which re-sends the withdraw (not the command) until enforcement answers a
final result: 'withdrawn', or, when the command was running already, what it did before it
stopped at its next broker call (services/enforcement/withdraw.py; a call out at the broker
cannot be stopped half-way). Notify tells the phone "↩️ Withdrawn".
The withdraws are part of the step the worker commits before it publishes (the store's
withdraws table, beside the outbox), and a restarted risk loads them back with the outbox:
after a kill -9 it re-sends the withdraw, never the command.
"""
from __future__ import annotations

from typing import Callable, Optional

from services.risk.lockouts import BY_BROKER, BY_CLOCK, BY_CONFIG, BY_ROLL
from services.risk.outcome import Outcome
from services.risk.retries import _doing, _target_words
from services.risk.state import symbol_of
from services.risk.words import LOCKOUT_RULE
from shared.lockwords import CLEARS_WORDS, cleared_words
from shared.messages.enforce import Command, WithdrawCommand
from shared.messages.risk import ENFORCE, FLATTEN, UNTIL_RESET, UNTIL_SESSION, LockoutChange
from shared.plural import plural

LOCKOUT_ENDED = "the lockout ended"
NOT_GUARDED = "the account is no longer guarded"


def ended_words(c: LockoutChange) -> str:
    """Why a command is withdrawn after this lockout ended, as the phone reads it after "was
    not carried out: ": the real reason, never an admin's name for a lockout that ended by
    itself."""
    lk = c.lockout
    if c.by == BY_ROLL or (c.by == BY_CLOCK and lk.kind == UNTIL_RESET):
        return f"{LOCKOUT_ENDED} at the roll (the session reset)"
    if c.by == BY_CLOCK:
        return f"{LOCKOUT_ENDED} at the session's end" if lk.kind == UNTIL_SESSION \
            else f"{LOCKOUT_ENDED} at its time"
    if c.by == BY_BROKER:
        cond = lk.clears_on or ""
        return f"{LOCKOUT_ENDED}: " + CLEARS_WORDS.get(cond, cleared_words(cond))
    if c.by == BY_CONFIG:
        return f"{LOCKOUT_ENDED}: {lk.symbol} is no longer a blocked symbol"
    return f"{LOCKOUT_ENDED} ({c.by})" if c.by else LOCKOUT_ENDED


class Withdrawing:
    withdrawing: dict                  # command id -> WithdrawCommand (Engine.__init__)

    def withdraw(self, account_id: int, why: Callable[[Command], Optional[tuple[str, str]]],
                 now: int, out: Outcome) -> list[str]:
        """Take back the account's commands in flight that `why` gives (reason, by) for (None:
        kept); their ids."""
        acct = self.accounts.get(account_id)
        taken = []
        for cid, e in list(self.outbox.entries.items()):
            cmd = e.command
            if cmd.account_id != account_id or cmd.mode != ENFORCE or cid in self.withdrawing:
                continue
            taking = why(cmd)
            if taking is None:
                continue
            reason, by = taking
            taken.append(cid)
            if self.outbox.waiting(cid):        # not sent yet: it is not sent at all
                del self.outbox.entries[cid]
                out.finished.append(cid)
                self._release(lambda k, cid=cid: self.inflight.get(k) == cid)
                if acct is not None and acct.riskd.settle(cid, now, closed=False):
                    out.exits.add(account_id)
                continue
            what = self._withdrawn_what(acct, cmd)
            w = WithdrawCommand(command_id=cid, account_id=account_id, by=by, what=what,
                                reason=reason)
            self.withdrawing[cid] = w
            out.withdraws.append(w)
        if taken:
            out.dirty.add(account_id)
        return taken

    def _withdrawn_what(self, acct, cmd: Command) -> str:
        """The action in words ("flatten (MNQ long 1)"). Risk's book is empty after a restart
        until market's snapshot fills it: a flatten then names what the account held
        (services/risk/carried.py), not "everything open"."""
        if acct is None:
            return cmd.action
        held = self.carried.get(cmd.account_id)
        if cmd.action == FLATTEN and held is not None and not acct.positions \
                and not acct.orders:
            parts = [f"{symbol_of(cid)} {'long' if n > 0 else 'short'} {abs(n)}"
                     for cid, n in sorted(held.positions.items()) if n]
            if held.orders:
                parts.append(plural(len(held.orders), "order"))
            if parts:
                return _doing(cmd, ", ".join(parts))
        return _doing(cmd, _target_words(acct, cmd))

    def lockouts_ended(self, ended: list[LockoutChange], now: int, out: Outcome) -> None:
        """Lockouts ended, whatever ended them: the step carries the changes, and what was
        sent for them and has not run is withdrawn. Every end of a lockout comes here."""
        if not ended:
            return
        out.lockouts += ended
        accounts = list(dict.fromkeys(c.lockout.account_id for c in ended))
        out.dirty.update(accounts)
        for aid in accounts:
            self.withdraw_ended(aid, [c for c in ended if c.lockout.account_id == aid], now, out)
            self.warn_freed(aid, now, out)

    def withdraw_ended(self, account_id: int, ended: list[LockoutChange], now: int,
                       out: Outcome) -> list[str]:
        """Lockouts of the account ended: what was sent for them and has not run."""
        def why(cmd: Command) -> Optional[tuple[str, str]]:
            if cmd.rule == LOCKOUT_RULE:
                symbol: Optional[str] = symbol_of(cmd.contract_id) if cmd.contract_id else None
                if self.lockouts.covering(account_id, symbol):
                    return None
                # named by the end of a lockout that covered its scope
                freed = [c for c in ended if c.lockout.symbol in (None, symbol)] or ended
                return ended_words(freed[0]), freed[0].by
            for c in ended:
                if c.lockout.rule == cmd.rule and cmd.issued_ns >= c.lockout.since_ns \
                        and not self.lockouts.covering(account_id, c.lockout.symbol):
                    return ended_words(c), c.by
            return None
        return self.withdraw(account_id, why, now, out)

    def withdraw_unguarded(self, account_id: int, by: str, now: int,
                           out: Outcome) -> list[str]:
        """The account is no longer guarded: everything in flight for it."""
        reason = f"{NOT_GUARDED} ({by})" if by else NOT_GUARDED
        return self.withdraw(account_id, lambda _cmd: (reason, by), now, out)

    def withdrawn_result(self, command_id: str) -> None:
        """A final result came for a command: no withdraw of it to send again."""
        self.withdrawing.pop(command_id, None)
