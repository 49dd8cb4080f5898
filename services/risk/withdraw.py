"""Withdrawing what risk sent for a reason that no longer holds (a mixin of the Engine).

Trial 2026-12-06: a flatten the market had refused stayed pending in enforcement, and ran when
the market opened, after an admin had unlocked the account (or disabled it: riskd had just
said it no longer guards it); a failed close's retry already sent closed a position of an
account riskd no longer guarded. Now:
- unlock (services/risk/acting.py): the account's commands in flight for the lockout ended --
  the lockout's own closes and cancels of a scope no lockout covers any more, and the action
  of the rule that set an ended lockout, decided since it started -- are withdrawn;
- an account no longer guarded (engine.guarding_changed: `accounts disable`, a reload): every
  command in flight for it is withdrawn.
A command not sent yet (a retry waiting for its time) is dropped from the outbox. One sent is
taken back with a WithdrawCommand on the commands topic (shared/messages/enforce.py): it is
kept in the outbox, which re-sends the withdraw (not the command) until enforcement answers a
final result: 'withdrawn', or what it did when the command was running already (a broker
call cannot be stopped half-way). Notify tells the phone "↩️ Withdrawn".
"""
from __future__ import annotations

from typing import Callable, Optional

from services.risk.outcome import Outcome
from services.risk.retries import _doing, _target_words
from services.risk.state import symbol_of
from services.risk.words import LOCKOUT_RULE
from shared.messages.enforce import Command, WithdrawCommand
from shared.messages.risk import ENFORCE, LockoutChange

LOCKOUT_ENDED = "the lockout ended"
NOT_GUARDED = "the account is no longer guarded"


class Withdrawing:
    withdrawing: dict                  # command id -> WithdrawCommand (Engine.__init__)

    def withdraw(self, account_id: int, pick: Callable[[Command], bool], reason: str, by: str,
                 now: int, out: Outcome) -> list[str]:
        """Take back the account's commands in flight that `pick` names; their ids."""
        acct = self.accounts.get(account_id)
        taken = []
        for cid, e in list(self.outbox.entries.items()):
            cmd = e.command
            if cmd.account_id != account_id or cmd.mode != ENFORCE or cid in self.withdrawing \
                    or not pick(cmd):
                continue
            taken.append(cid)
            if self.outbox.waiting(cid):        # not sent yet: it is not sent at all
                del self.outbox.entries[cid]
                out.finished.append(cid)
                self._release(lambda k, cid=cid: self.inflight.get(k) == cid)
                if acct is not None and acct.riskd.settle(cid, now, closed=False):
                    out.exits.add(account_id)
                continue
            what = _doing(cmd, _target_words(acct, cmd)) if acct is not None else cmd.action
            w = WithdrawCommand(command_id=cid, account_id=account_id, by=by, what=what,
                                reason=f"{reason} ({by})" if by else reason)
            self.withdrawing[cid] = w
            out.withdraws.append(w)
        if taken:
            out.dirty.add(account_id)
        return taken

    def withdraw_unlocked(self, account_id: int, ended: list[LockoutChange], by: str,
                          now: int, out: Outcome) -> list[str]:
        """An admin ended lockouts of the account: what was sent for them and has not run."""
        def pick(cmd: Command) -> bool:
            if cmd.rule == LOCKOUT_RULE:
                symbol: Optional[str] = symbol_of(cmd.contract_id) if cmd.contract_id else None
                return not self.lockouts.covering(account_id, symbol)
            return any(c.lockout.rule == cmd.rule and cmd.issued_ns >= c.lockout.since_ns
                       and not self.lockouts.covering(account_id, c.lockout.symbol)
                       for c in ended)
        return self.withdraw(account_id, pick, LOCKOUT_ENDED, by, now, out)

    def withdraw_unguarded(self, account_id: int, by: str, now: int,
                           out: Outcome) -> list[str]:
        """The account is no longer guarded: everything in flight for it."""
        return self.withdraw(account_id, lambda _cmd: True, NOT_GUARDED, by, now, out)

    def withdrawn_result(self, command_id: str) -> None:
        """A final result came for a command: no withdraw of it to send again."""
        self.withdrawing.pop(command_id, None)
