"""The guard workers and what it means when one is not running, in one set of words.

market, risk and enforcement together guard the accounts: without market no broker prices or
fills reach risk, without risk nothing checks the rules, without enforcement nothing is
closed (risk keeps the actions it decides and sends them when enforcement is back).
riskctl's screens (cli/notrunning.py), notify's alert while riskd's supervisor is gone
(services/notify/guardwatch.py) and the crash and flapping alerts say it with these words.

With the sim broker (broker.kind = "sim") riskd runs the broker itself, as its simbroker worker:
while that is down market cannot reach the broker, and the accounts are not guarded either
(riskctl status counts it: the broker hubs are down). Its crash and "back" alerts say so, as a
guard worker's do (trial18b section 6: `kill -9` of the sim said nothing of guarding).
A guard worker's crash says it in the same line (down_line: trial18c section 5, only the sim's
crash alert spoke of guarding while status counted risk's down as unguarded).
"""
from __future__ import annotations

from shared import shards

MEANING = {
    "market": ("no prices or fills reach risk from the broker: the rules are checked on "
               "stale figures"),
    "risk": "nothing checks the rules",
    "enforcement": "nothing is closed: the actions risk decides wait for it",
}

START_AGAIN = ("start riskd again: `make run` (Windows: `py -3.11 dev.py run`) where you ran it, "
               "`sudo systemctl start riskd` under the Linux service, `sc start riskd` "
               "(elevated) for the Windows service")


BROKER_MEANING = ("market cannot reach the broker (riskd's sim broker): no prices or fills reach "
                  "risk and nothing can be closed")


def down_line(name: str) -> str:
    """The crash alert's line for a worker whose down leaves the accounts unguarded (a guard
    worker, or the sim broker riskd runs: `broker`): 'accounts are NOT guarded while it is
    down: nothing checks the rules; its "back" alert says when they are guarded again'."""
    return (f"accounts are NOT guarded while it is down: {meaning(name) or BROKER_MEANING}; "
            f"its \"back\" alert says when they are guarded again")


def broker_workers(broker_kind: str) -> tuple[str, ...]:
    """The workers that are the broker riskd watches: ("simbroker",) with the sim broker."""
    return ("simbroker",) if broker_kind == "sim" else ()


def is_guard(name: str) -> bool:
    """market, risk (or one of its shards: risk-0, ...) or enforcement."""
    return shards.base_name(name) in MEANING


def meaning(name: str) -> str:
    """'nothing checks the rules': what a guard worker not running means ('' for the others)."""
    return MEANING.get(shards.base_name(name), "")
