"""What risk decided while notify was down, alerted late: the start-up catch-up.

Every worker's PUB keeps the last KEEP_FOR_S (10 s) of alert messages for a subscriber that
comes back (shared/bus/publisher.py); a notify down longer missed the rest (trial: a breach
decided while notify was down 16 s never reached the phone). So a notify that starts asks risk,
through the supervisor's control socket as `riskctl history` does, for the decisions made since
it was last known running (notify.sqlite table `alive`, written every ALIVE_EVERY_S), and
alerts each one it has not taken (table `decided`, by decision id; the kept copies and the
history can hold the same decision, in either order), marked as sent late. When risk cannot
answer, one alert says so and names the history command. docs/alerts.md says it.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from shared import showtime
from shared.bus.publisher import KEEP_FOR_S
from shared.bus.rpc import RpcClient, RpcTimeout
from shared.messages.control import ControlRequest
from shared.messages.risk import Decision, HistoryReply, HistoryRequest
from shared.clock import from_ns
from shared.messages.system import Reply

ALIVE_EVERY_S = 2.0       # how often notify writes that it runs
CATCH_UP_AFTER_S = 1.0    # after the start: the PUBs' kept copies have come, the SUBs joined
ASK_TIMEOUT_S = 2.0      # beside notify's loop (shared/beside.py), as the Telegram commands wait
MAX_BACK_NS = 86_400 * 10**9     # a notify down longer: its last day only
LIMIT = 500
TRIES, RETRY_S = 15, 2.0     # risk starting with riskd: asked again for about 30 s
KEEP_NS = int(KEEP_FOR_S * 1e9)


def since_text(since_ns: int, tz: dt.tzinfo) -> str:
    """The --since of `riskctl history` for a window: an ISO time with its offset, cut."""
    return from_ns(showtime.down_to_second(since_ns), tz).isoformat()


def window_start(last_alive_ns: Optional[int], now_ns: int) -> Optional[int]:
    """Since when to ask (None: nothing to ask: a first run); a margin of ALIVE_EVERY_S and a
    second before the last sign of life."""
    if last_alive_ns is None:
        return None
    return max(last_alive_ns - int((ALIVE_EVERY_S + 1) * 1e9), now_ns - MAX_BACK_NS)


def ask_decisions(control: str, since_ns: int) -> list[Decision]:
    """Risk's decisions since since_ns, oldest first; raises LookupError saying why not."""
    try:
        with RpcClient(control, "supervisor", timeout=ASK_TIMEOUT_S, retries=0,
                       name="notify") as client:
            reply = client.call(ControlRequest(command=HistoryRequest(since_ns=since_ns,
                                                                      limit=LIMIT)))
    except RpcTimeout:
        raise LookupError(f"riskd did not answer within {ASK_TIMEOUT_S:g} s") from None
    if not isinstance(reply, Reply) or not reply.ok or not isinstance(reply.body, HistoryReply):
        raise LookupError(getattr(reply, "reason", "") or "risk could not say")
    return sorted((d for d in reply.body.decisions if d.ts_ns >= since_ns),
                  key=lambda d: d.ts_ns)
