"""Is a position another one than the position a close was decided on? One test for risk and
enforcement, so the two never disagree about which close covers which position.

A position's opening time (the broker's Position creationTimestamp, new each time it opens
from flat; or the fill that opened it) is compared with the opening of the position risk
decided the close (or reduce) on (Command.opened_ns), both by the broker's clock: later than
that by more than a fill's own stamps differ (SAME_FILL_NS) means the decided one went flat and
this one opened since. A command that does not name it (older senders) is compared by its
issue time, by riskd's clock, SKEW_NS wider for the two clocks.

Enforcement: a close or a reduce does not take such a position (services/enforcement/
newerposition.py, actions/reduce_position.py).
Risk: a close in flight does not cover it; under a lockout it sends a close of its own
(services/risk/acting.py _for_an_earlier_position). If the two tests differed, a position in
between would be left by the close and not closed by a new one (a lockout not enforced).
"""
from __future__ import annotations

from shared.clock import SKEW_NS

SAME_FILL_NS = 250_000_000      # a fill's Trade and its Position's creation, both the broker's


def opened_after(opened_ns: int, command) -> bool:
    """Did a position that opened at opened_ns (the broker's clock; 0: not known) open after
    the one `command` was decided on?"""
    if not opened_ns:
        return False
    if command.opened_ns:
        return opened_ns > command.opened_ns + SAME_FILL_NS
    return bool(command.issued_ns) and opened_ns > command.issued_ns + SKEW_NS
