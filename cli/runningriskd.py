"""What the running riskd runs, for the riskctl commands that connect past its control socket.

`riskctl watch` and `logs --follow` read riskd's PUB streams, and `riskctl sim` talks to the
sim broker's own REST port: all three took the addresses from the config file. After an edit
that waits for riskd's (or the sim's) restart the file names addresses riskd does not run yet
(round 15's note: watch followed the file's [bus] until riskd restarted; `sim buy` went to
the file's new sim port, where nothing, or another desk's sim, listens). Every other command
reaches the running riskd through its control socket (bus.control, which an edit cannot move
while riskd runs), so these ask it too: the supervisor's Pong says its [bus], its risk shards
and the sim it runs. While riskd does not answer (or is older and does not say), the file's.
"""
from __future__ import annotations

from typing import Optional

import attrs

from cli.errors import CliError
from shared.config.sections import BusConfig
from shared.messages.system import Ping, Pong


@attrs.frozen
class Running:
    bus: Optional[BusConfig]         # None: riskd did not say (use the file's)
    risk_shards: int                 # 0: not said
    sim_url: str                     # "": not said, or riskd runs no sim


NOTHING = Running(None, 0, "")


def ask(ctx) -> Running:
    """The running riskd's [bus], risk shards and sim URL (ctx.call: the riskd that answers
    is compared with the config as every command's is, cli/whichriskd.py); NOTHING when it
    does not answer."""
    try:
        reply = ctx.call(Ping(), retries=0)
    except CliError:
        return NOTHING
    pong = reply.body if reply.ok else None
    if not isinstance(pong, Pong):
        return NOTHING
    return Running(bus_of(pong), pong.risk_shards, pong.sim_url)


def bus_of(pong: Pong) -> Optional[BusConfig]:
    """The [bus] a supervisor's Pong says riskd runs; None when it does not say."""
    if not pong.bus:
        return None
    try:
        return BusConfig(allow_remote=True,     # addresses to connect to, as riskd runs them
                         **{k: v for k, v in pong.bus.items() if k in BusConfig.address_keys()})
    except Exception:  # noqa: BLE001 -- an address this riskctl cannot read: the file's
        return None
