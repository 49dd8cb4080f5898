"""Which accounts' status rows count seconds (no_stop_loss_grace's "closed in 3s unless a stop
is placed", "riskd's close in flight for 4s"): their status is published when that figure
changes, as when an event changes the account.

A status is published for a watch screen only for an account a step changed (services/risk/
app.py _publish_status); the clock changes no account, so with no price or fill moving, the
grace's countdown reached `watch` only with its once-a-second snapshot, up to a second behind
risk's own clock (row19: fresh-user trial 18c read "closed in 0s" while risk's close came more
than a second later, and "closed in 2s" with a second left). Now the risk worker asks at every
tick (moved) and publishes those accounts at its next status round (0.2 s).
"""
from __future__ import annotations

from services.risk.rules.no_stop_loss_grace import closing_of, uncovered

NS = 1_000_000_000
RULE = "no_stop_loss_grace"


def figures(engine, acct, now: int) -> tuple:
    """What the account's grace row reads in whole seconds: per uncovered position, its
    seconds without cover, and while riskd's close of it is on its way, the seconds since it
    was sent; () when the rule is off for it or nothing counts."""
    if not acct.positions:
        return ()
    cfg = engine.settings.for_account(acct)
    params = getattr(cfg, RULE, None) if cfg is not None else None
    if params is None or not params.enabled:
        return ()
    out = []
    for p, _size, _since, seconds, _cover, _n in uncovered(acct, now):
        closing = closing_of(acct, p, now)     # (sent at, on its way, bought since) or None
        out.append((p.contract_id, seconds,
                    None if closing is None else (now - closing[0]) // NS))
    return tuple(out)


class Countdowns:
    """The figures each account's grace row last read (figures), to tell when they change."""

    def __init__(self) -> None:
        self.seen: dict[int, tuple] = {}

    def moved(self, engine, now: int) -> set[int]:
        """The accounts whose grace row reads another whole second than at the last call (or
        stopped counting): their status is due."""
        out = set()
        for aid, acct in engine.accounts.items():
            now_reads = figures(engine, acct, now)
            if now_reads == self.seen.get(aid, ()):
                continue
            out.add(aid)
            if now_reads:
                self.seen[aid] = now_reads
            else:
                self.seen.pop(aid, None)
        return out
