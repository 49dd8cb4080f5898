"""An action waiting for the market, of a rule that set no lockout, judged again (a mixin of the
Engine).

Trial 2026-12-06: Demo 1 long MNQ 2, unlocked; the market closed; the price fell and
daily_unrealized_loss (scope position, no lockout) decided to close MNQ; enforcement held the
close pending ("⏳ Waiting: close MNQ long 2 on Demo 1 waits for the market to open"). The
price came back (MNQ slightly in profit) and the market opened: riskd closed a winning
position for a breach that was over ("✅ Done ... done late: 14s after the decision").

A failed action of such a rule was already judged again before each try (retries.py,
_not_breached). So is one enforcement never answered (stopped or down: the outbox's
`unanswered`): trial 2026-12-06, `riskctl stop enforcement`, MNQ past the line and back in
profit, `riskctl start enforcement`: the close held in risk's outbox ran on the winning
position. Now a command enforcement holds for the market (its 'accepted' result says
waits_for, marketwait.py) is judged the same way, by the same function, at each price step
and tick while one waits (no cost when none does): when its rule no longer decides the action
for its target, risk takes it back with a WithdrawCommand (withdraw.py), whose reason says why
in the No-longer-needed words: "no longer needed: MNQ long 2 is back within
daily_unrealized_loss (open PnL 20.00 vs -200.00)". The phone hears it once, from
enforcement's 'withdrawn' result: "↩️ Withdrawn on Demo 1: close MNQ long 2 was not carried
out: no longer needed: ..." (risk says nothing of its own: a close that was already running
when the withdraw came ends Done, and the phone then reads Done, not "riskd does not close
it"). While the rule still breaches nothing is withdrawn and the close runs at the open.
The price may go past the line again while the withdraw is on its way: the rule's new
decision is not sent while the old command is in flight, so when enforcement's final answer
comes the rule is judged once more (_after_withdrawn) and decides again if it still breaches;
a restarted risk knows its withdraws sent as no longer needed again (reload_unneeded), and
judges the rule at that answer too.

Not judged here: a lockout's own closes and cancels, and any action on a scope a lockout
covers (withdrawn when the lockout ends, withdraw.py); alert-mode commands; a target risk's
book does not hold (enforcement finds nothing to do); an account whose book is still the one
from before a restart (carried.py), until market's snapshot.
"""
from __future__ import annotations

from services.risk.outcome import Outcome
from services.risk.retries import Gone, _target, _target_words
from services.risk.rules.base import QUOTE, ClockTick
from services.risk.state import AccountState
from services.risk.words import LOCKOUT_RULE
from shared.messages.enforce import WITHDRAWN, Command, CommandResult
from shared.messages.risk import CANCEL_ORDERS, CLOSE_POSITION, ENFORCE, REDUCE_POSITION

NO_LONGER_NEEDED = "no longer needed"


class WaitJudging:
    market_waiting: dict               # command id -> since when it waits (Engine.__init__)
    unneeded: dict                     # ids withdrawn as no longer needed, until answered ->
                                       # (the failed action it was a try of, why) or None

    def _market_wait_result(self, res: CommandResult, now: int) -> None:
        """Keep which of risk's commands enforcement holds for the market now."""
        cid = res.command_id
        if res.waits_for and cid in self.outbox.entries:
            self.market_waiting.setdefault(cid, now)
        else:               # running, or final: no longer waiting
            self.market_waiting.pop(cid, None)

    def _judge_waiting(self, now: int, out: Outcome) -> None:
        """Each tick and price step while an action waits for the market, or for an
        enforcement that does not answer: withdraw the ones whose rule no longer breaches
        for their target."""
        for cid in list(self.market_waiting) + sorted(self.outbox.unanswered):
            e = self.outbox.entries.get(cid)
            if e is None or cid in self.withdrawing:
                self.market_waiting.pop(cid, None)
                self.outbox.unanswered.discard(cid)
                continue
            cmd = e.command
            acct = self.accounts.get(cmd.account_id)
            if acct is None or not self._judged(acct, cmd):
                continue
            gone = self._not_breached(acct, cmd, _target_words(acct, cmd), now)
            if gone is None:
                continue
            reason = f"{NO_LONGER_NEEDED}: {gone.why}"
            self.withdraw(acct.account_id, lambda c, cid=cid: (reason, "") if c.id == cid
                          else None, now, out)
            self.market_waiting.pop(cid, None)
            self.outbox.unanswered.discard(cid)
            f = self.failing.get(_target(cmd))
            self.unneeded[cid] = (f, gone) if f is not None and f.command.id == cid else None

    def reload_unneeded(self) -> None:
        """After a restart (the store has put the outbox and its withdraws back): the withdraws
        sent as no longer needed are known as such again, so enforcement's final answer to
        one judges its rule at once (_after_withdrawn), as before the restart. Without it the
        price past the line again while the withdraw was on its way was judged only at the
        next price, however long that took (a market closed, a quiet contract)."""
        for cid, w in self.withdrawing.items():
            e = self.outbox.entries.get(cid)
            if e is None or not w.reason.startswith(NO_LONGER_NEEDED):
                continue
            why = w.reason[len(NO_LONGER_NEEDED):].lstrip(": ")
            f = self.failing.get(_target(e.command))
            tried = f is not None and f.command.id == cid
            self.unneeded[cid] = (f, Gone(why, why, needed=True, short=NO_LONGER_NEEDED)) \
                if tried else None

    def _after_withdrawn(self, acct: AccountState, cmd: Command, res: CommandResult,
                         now: int, out: Outcome) -> None:
        """A final answer to a command withdrawn as no longer needed: its rule judges the
        account again (a price past the line again meanwhile decided nothing new: the
        withdrawn command was still in flight). A try of a failed action withdrawn so ends
        it as "no longer needed" in LAST ACTIONS ("failed, then no longer needed")."""
        if cmd.id not in self.unneeded:
            return
        tried = self.unneeded.pop(cmd.id)
        if tried is not None and res.status == WITHDRAWN:
            self._ended(*tried)
        if acct is not None and cmd.rule in self.rules:
            self._run(acct, QUOTE, ClockTick(now), now, "recheck", now, out, only=cmd.rule)

    def _judged(self, acct: AccountState, cmd: Command) -> bool:
        """Is this waiting command one to judge again now?"""
        if cmd.mode != ENFORCE or cmd.rule == LOCKOUT_RULE or cmd.by \
                or acct.account_id in self.carried or self._covering(acct, cmd):
            return False
        if cmd.action in (CLOSE_POSITION, REDUCE_POSITION):
            pos = acct.positions.get(cmd.contract_id or "")
            return pos is not None and bool(acct.live_size(pos))
        if cmd.action == CANCEL_ORDERS:
            return bool(acct.orders) and (cmd.order_id is None or cmd.order_id in acct.orders)
        return bool(acct.orders) or any(acct.live_size(p) for p in acct.positions.values())
