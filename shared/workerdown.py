"""Which worker state changes tell the phone that a worker is down (pure).

One rule for both sides: notify's crash and flapping alerts (services/notify/templates.py) and
the supervisor's "worker back" bookkeeping (services/supervisor/backalerts.py), which sends
"back" only after a down the phone was told of. An operator's `riskctl restart` stops the
worker cleanly (exit 0) and starts it again with no reason of a crash: that is no down.
"""
from __future__ import annotations

from shared.messages.control import WorkerEvent

CRASHED, FLAPPING = "crashed", "flapping"


def down_kind(e: WorkerEvent) -> str:
    """FLAPPING, CRASHED, or '' when this change is not a down the phone hears of."""
    if e.state == "flapping":
        return FLAPPING
    # the supervisor gives every crash a reason; a restart's clean stop has none
    if e.state == "backoff" and (e.reason or e.exit_code not in (0, None)):
        return CRASHED
    return ""


WORKER_BACK = "worker_back"      # the supervisor's "🟢 Worker NAME is back" (NotifyEvent kind)
WAS_DOWN = " was down: "


def was_down(name: str, why: str) -> str:
    """The "back" alert's line for each worker it announces: 'market was down: crashed: ...'."""
    return f"{name}{WAS_DOWN}{why}"


def back_names(event) -> list[str]:
    """The workers a "back" alert (NotifyEvent of kind WORKER_BACK) announces, from its
    was_down lines; [] for any other event."""
    if getattr(event, "kind", "") != WORKER_BACK:
        return []
    return [line.split(WAS_DOWN, 1)[0] for line in event.lines if WAS_DOWN in line]
