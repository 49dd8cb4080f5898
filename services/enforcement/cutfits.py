"""Which market order in a partial close's window is riskd's: at most one, its size.

The broker carries out a partialCloseContract as ONE market order of the call's size (the
sim: services/simbroker/accounts.py; a slow or held call is carried out when its delay or
hold ends, and answered right after). closeorders.pick used to name every market order of
that size on the contract created inside the call's window riskd's, so the trader's own sell
of exactly a cut's size, made while riskd's reduce sat at the broker, was riskd's too and
counted as nobody's trade (trial24c finding 1, 3 of 3: buy 4 / sell 2 / buy 1 in a minute,
max_contracts' reduce of 2 held at the broker, started no trade_frequency_limit cooldown).

So each partial close call of a command takes at most one order, and an order is taken by at
most one call. Nothing at the broker tells two orders of the same size apart (an order does
not say who sent it), so the rule picks, and the count is right either way (one of the two
is riskd's, the other the trader's; only which fill's time and price are called the trader's
can be wrong: docs/rules.md "Whose trade it is"): a call takes the order made LAST in its
window. A call answered done: the broker answers once it has carried the call out, so its
order is the last made before that answer, and the trader's sell made while the call was out
came before it (the sim's hold and delay do exactly that). A call whose answer never came
(lost, or sent by a process that ended before a restart: its window runs to the order
search): the later one, as risk takes the later of two such sells for a lost cut carried out
late (services/risk/eitherway.py). The calls answered done choose first: each is certain to
have made its order.
"""
from __future__ import annotations

from typing import Callable


def taken(orders, calls: list, now_ns: int, within: Callable, skew_ns: int) -> dict[int, list]:
    """Index of each partial close call (CloseCall.size) in calls -> the order it created
    ([] or [one order]); within(orders, call, start, end): the market orders of the call's
    contract and size made from start to end (closeorders._within); none there, skew_ns wider
    on both sides (the broker's clock is not ours)."""
    out: dict[int, list] = {}
    used: set[int] = set()
    partial = [i for i, c in enumerate(calls) if c.size]
    for i in sorted(partial, key=lambda k: not _answered(calls[k])):
        c = calls[i]
        end = c.answered_ns or now_ns
        free = [o for o in within(orders, c, c.sent_ns, end) if o.id not in used] \
            or [o for o in within(orders, c, c.sent_ns - skew_ns, end + skew_ns)
                if o.id not in used]
        if not free:
            out[i] = []
            continue
        o = max(free, key=lambda o: (o.created_ns, o.id))
        used.add(o.id)
        out[i] = [o]
    return out


def _answered(c) -> bool:
    return bool(c.worked and c.answered_ns)


def killed_cut(progress: dict) -> int:
    """The size of the cut a reduce's ended process sent, from what it journaled before its
    call (reduce_position: `observed`, the position it read, and `target`): 0 when not known
    or a close of the whole position (target 0: closeContract, an order of any size)."""
    observed, target = progress.get("observed"), progress.get("target")
    if isinstance(observed, int) and isinstance(target, int) and 0 < target < observed:
        return observed - target
    return 0
