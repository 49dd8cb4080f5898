"""The accounts a replay of the default selection leaves out though riskd guards them.

`riskctl replay` with no account named replays every enabled account of the config that the
broker knows (docs/replay.md, Options). riskd also guards an account the broker lists and the
config does not (with the default profile: etc/riskd.toml, [[accounts]]), e.g. one the broker
added since the config was written; such an account was left out of the replay without a word
(fresh-user trial 18b, section 2b: SIM-DEMO-3, guarded and traded, missing from the tables).
`left_out` names them and `notes` says so in the replay's output, with the options that
replay them.
"""
from __future__ import annotations

from typing import Callable

__all__ = ["left_out", "notes"]


def left_out(config, broker_accounts, chosen, wanted) -> list:
    """The broker's accounts the config does not list, when the replay took the config's own
    (no account named; a config listing none replays every account the broker knows)."""
    if wanted or not config.accounts:
        return []
    listed = {a.id for a in config.accounts}
    taken = {a.account_id for a in chosen}
    return [a for a in broker_accounts if a.account_id not in listed
            and a.account_id not in taken]


def notes(missed, chosen, name_of: Callable) -> list[str]:
    """One line per account left out, with the options that replay it beside the others."""
    if not missed:
        return []
    options = " ".join(f"--account {a.account_id}" for a in list(chosen) + list(missed))
    return [f"{name_of(a.account_id, a.name)} is not in the config: riskd guards it with the "
            f"default profile, but a replay of the configured accounts leaves it out; "
            f"`{options}` (with the same --from/--to) replays it with the others"
            for a in missed]
