"""PUB/SUB topics: short dotted strings so subscribers filter on the prefix."""
from __future__ import annotations

HEARTBEAT = "hb"
LOG = "log"
# market
FILL = "fill"
POSITION = "position"
ORDER = "order"
ACCOUNT = "account"
QUOTE = "quote"
CONTRACT = "contract"
CONNECTION = "conn"
# risk (status.<account> below) and enforcement
DECISION = "decision"
WARNING = "warning"
LOCKOUT = "lockout"
STATUS = "status"
COMMAND = "cmd"
RESULT = "result"
# supervisor
WORKER = "worker"
CONFIG = "config"
GUARD = "guard"
# any worker's: a NotifyEvent, DailySummary, notify's ChannelState ("notify.channel")
NOTIFY = "notify"

# What a publisher keeps for its last seconds for a subscriber that joins late, and its
# subscribers drop a second copy of (shared/bus/publisher.py): what notify makes alerts of.
KEPT = (DECISION, WARNING, LOCKOUT, RESULT, CONNECTION, WORKER, GUARD, NOTIFY)


def quote(contract_id: str) -> str:
    return f"{QUOTE}.{contract_id}"


def status(account: str | int) -> str:
    return f"status.{account}"


def encode(topic: str) -> bytes:
    return topic.encode("utf-8")
