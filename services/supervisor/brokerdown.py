"""The NOT GUARDED reason when the broker cannot be reached, in words a trader can act on.

Fresh-user trial 19b, section 10: after `riskctl stop simbroker` every screen read "NOT GUARDED
now: broker user hub reconnecting: cannot connect: ConnectionRefusedError: [Errno 111]
Connection refused; broker market hub reconnecting: ..." (only the worker table said the sim
was stopped, by whom). Now, with riskd's own sim broker not running, the two hub reasons are
one sentence: the broker is not reachable at its address, why (the sim's state, who stopped
it), what that means meanwhile and who starts it again (services/supervisor/unreachable.py's
words). With a broker riskd does not run, a hub the broker refuses says "the broker is not
reachable at HOST:PORT" (shared/projectx/realtime.py, shared/networds.py) and what market does meanwhile; the two
hubs down for the same reason are said once. Pure: the caller passes the slot and clocks.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse as urlparse

from services.supervisor.policy import FLAPPING, STOPPED, STOPPING
from services.supervisor.unreachable import STATUS_HINT, unreachable_reason
from shared import showtime
from shared.networds import (BROKER_BACK, BROKER_UNREACHABLE, NEXT_TRY, NEXT_TRY_CAP_S,
                             WAITS)

MEANWHILE = "no prices or fills reach risk and nothing can be closed"
RETRYING = ("market tries again, waiting longer each time (60 s at most); meanwhile no prices "
            "or fills reach risk")


def sim_down(slot, rest_url: str, now: float, now_ns: int, tz: dt.tzinfo) -> str:
    """'the broker is not reachable at 127.0.0.1:47230: riskd's sim broker is not running
    (simbroker is stopped: admin:root stopped it at ...; it stays stopped until an admin or ops
    starts it (`riskctl start simbroker`)); meanwhile ...'."""
    state = _state(slot, now, now_ns, tz)
    where = urlparse.urlsplit(rest_url).netloc or rest_url
    return (f"the broker is not reachable at {where}: riskd's sim broker is not running "
            f"({state}); meanwhile {MEANWHILE}, and market keeps trying to connect")


def sim_back(up_ns: int, now_ns: int, tz: dt.tzinfo) -> str:
    """riskd's sim broker runs again, started after the hubs' last failed try said the broker
    was not reachable (that reason is stale: trial20b section 8): 'the broker is up again
    (riskd's sim broker started at Mon 03:01:13 CST); market reconnects at its next try (...),
    by Mon 03:02:13 CST at the latest; meanwhile ...'. The latest: market's wait between two
    tries is NEXT_TRY_CAP_S at most, and its last failed try came before the start."""
    latest = showtime.end(up_ns + NEXT_TRY_CAP_S * 1_000_000_000, tz, now_ns)
    return (f"{BROKER_BACK} (riskd's sim broker started at {showtime.start(up_ns, tz, now_ns)}); "
            f"{NEXT_TRY}, by {latest} at the latest; meanwhile {MEANWHILE}")


def start_note(up_ns: int, now_ns: int, tz: dt.tzinfo) -> str:
    """What `riskctl start simbroker` adds while the hubs are down from before the start: the
    accounts stay unguarded until market reconnects, and by when at the latest."""
    latest = showtime.end(up_ns + NEXT_TRY_CAP_S * 1_000_000_000, tz, now_ns)
    return (f"the accounts stay NOT GUARDED until market reconnects: at its next try {WAITS}, "
            f"by {latest} at the latest (`riskctl status` says when it is back)")


def _state(slot, now: float, now_ns: int, tz: dt.tzinfo) -> str:
    """The sim worker's state: stopped (by whom, who starts it) or flapping in the words a
    request to it gets; a crash or a start without their "try again" (nothing to retry)."""
    p = slot.policy
    if p.state in (STOPPED, FLAPPING) or (p.state == STOPPING and not slot.then_start):
        return unreachable_reason(slot, now, now_ns, tz).replace(f" {STATUS_HINT}", "")
    if p.state == STOPPING:
        return f"{slot.name} is restarting (`riskctl restart`)"
    if p.crashes_in_a_row:
        why = f": {p.reason}" if p.reason else ""
        return f"{slot.name} crashed{why}; riskd starts it again"
    return f"{slot.name} is starting"


def hub_lines(down: dict[str, tuple[str, str]]) -> dict[str, str]:
    """{hub: (state, why)} of the hubs down -> {hub: its line}; two hubs down for the same
    reason share one line (under the first hub): 'broker user and market hubs reconnecting:
    cannot connect: the broker is not reachable at ... ; market tries again ...'."""
    lines: dict[str, str] = {}
    states = {state for state, _why in down.values()}
    whys = {why for _state, why in down.values()}
    if len(down) == 2 and len(states) == 1 and len(whys) == 1 and "" not in whys:
        first = next(iter(down))
        (state,), (why,) = states, whys
        lines[first] = f"broker {' and '.join(down)} hubs {state}: {_said(why)}"
        return lines
    for hub, (state, why) in down.items():
        lines[hub] = f"broker {hub} hub {state}" + (f": {_said(why)}" if why else "")
    return lines


def _said(why: str) -> str:
    return f"{why}; {RETRYING}" if BROKER_UNREACHABLE in why else why
