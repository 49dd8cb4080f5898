"""The guard workers and what it means when one is not running, in one set of words.

market, risk and enforcement together guard the accounts: without market no broker prices or
fills reach risk, without risk nothing checks the rules, without enforcement nothing is
closed. riskctl's screens (cli/notrunning.py) and notify's alert while riskd's supervisor is
gone (services/notify/guardwatch.py) say it with these words.
"""
from __future__ import annotations

from shared import shards

MEANING = {
    "market": ("no prices or fills reach risk from the broker: the rules are checked on "
               "stale figures"),
    "risk": "nothing checks the rules",
    "enforcement": "nothing is closed",
}

START_AGAIN = ("start riskd again: `make run` (Windows: `py -3.11 dev.py run`) where you ran it, "
               "`sudo systemctl start riskd` under the Linux service, `sc start riskd` "
               "(elevated) for the Windows service")


def is_guard(name: str) -> bool:
    """market, risk (or one of its shards: risk-0, ...) or enforcement."""
    return shards.base_name(name) in MEANING


def meaning(name: str) -> str:
    """'nothing checks the rules': what a guard worker not running means ('' for the others)."""
    return MEANING.get(shards.base_name(name), "")
