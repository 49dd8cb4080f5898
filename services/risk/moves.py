"""Prices taken now, their rules judged later, one account at a time (the worker's drain).

In a quote storm risk's loop took each run of quotes between two events and judged, at once,
the rules of every account holding a moved contract: at 500 accounts (2 positions each over
20 contracts) one run was ~500 rule steps, and a fill queued behind it waited for all of them
(the scale bench: risk's lag p99 157 ms to seconds, breach -> closeContract likewise). A
fill only needs its OWN account judged at the prices before it.

So the worker's drain applies every quote's prices in stream order at once (cheap) and
records which contracts moved (PendingMoves). The rules run later, per account:
- before any event of an account (a fill, position, order or balance) that account's rules
  judge the prices moved since it was last judged, exactly as the run of quotes before the
  event judged it: same prices, same order (its quote step, then the event's own step);
- every other account is judged at the end of the drain (Engine.judge_moved), in slices the
  worker interleaves with reading the market, with the latest prices: a run of quotes longer
  by the events between it and the end of the drain, i.e. the conflation the engine already
  did within a run (latest price per contract wins, as market's conflation does).
A loop turn judges in slices for JUDGE_TURN_S; then the quotes it reads wait in the worker's
run, not taken, and an account's event overtakes them (as it overtakes the quotes market holds
at its pace): no price moves, so no new round of accounts starts and the round under way ends,
the events read between its slices going first. The held quotes are taken at the next loop
round, after the timers. Before round 16 what was left after JUDGE_TURN_S was judged at once,
the market unread: at 1,000 accounts a breach's fill waited for up to a round of ~1,000
accounts' rules (the scale bench: risk's lag p50 370-622 ms).
An account's rules read only its own state and the prices, so judging another account later
changes no decision of this one. Anything that is not one account's event (a contract, a
snapshot, the clock, a result, a reload) judges everything pending first.
"""
from __future__ import annotations

from typing import Optional

from shared.messages.market import Quote


class PendingMoves:
    """Contracts whose price moved and the accounts not yet judged at their new price."""

    def __init__(self) -> None:
        self.seq = 0                              # one per moving quote, never reset
        self.moved: dict[str, tuple[Quote, int]] = {}   # contract -> (its latest quote, seq)
        self.judged_at: dict[int, int] = {}       # account -> seq it was last judged at
        self.queue: list[int] = []                # accounts of the round being judged

    def __bool__(self) -> bool:
        return bool(self.moved)

    def move(self, quote: Quote) -> None:
        self.seq += 1
        self.moved[quote.contract_id] = (quote, self.seq)

    def due(self, account_id: int, positions) -> list[Quote]:
        """The latest quote of each held contract that moved since the account was judged
        (in the order of its positions), and the account counts as judged now."""
        moved = self.moved
        since = self.judged_at.get(account_id, 0)
        self.judged_at[account_id] = self.seq
        out = []
        for cid in positions:
            m = moved.get(cid)
            if m is not None and m[1] > since:
                out.append(m[0])
        return out

    def waiting(self, accounts: dict) -> list[int]:
        """Accounts holding a contract moved since they were judged (a new round)."""
        moved, judged = self.moved, self.judged_at
        out = []
        for aid, acct in accounts.items():
            since = judged.get(aid, 0)
            for cid in acct.positions:
                m = moved.get(cid)
                if m is not None and m[1] > since:
                    out.append(aid)
                    break
        return out

    def next_account(self, accounts: dict) -> Optional[int]:
        """The next account to judge, a new round when one ends; None when none is left
        (everything judged: the moves are forgotten)."""
        if not self.queue:
            self.queue = self.waiting(accounts)
            self.queue.reverse()
            if not self.queue:
                self.clear()
                return None
        return self.queue.pop()

    def clear(self) -> None:
        self.moved.clear()
        self.judged_at.clear()
        self.queue.clear()
