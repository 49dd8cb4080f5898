"""Risk shards: which shard owns an account, the shards' names, addresses and state files.

`[supervisor] risk_shards = N` (docs/scaling.md) runs risk as N supervised processes. The
mapping is fixed and documented: account id A belongs to shard A % N. With N = 1 there is one
worker named "risk" on bus.risk_pub / bus.risk_control with <data_dir>/risk.sqlite, exactly as
without shards. With N > 1 the workers are risk-0 ... risk-(N-1); risk-0 binds bus.risk_pub and
bus.risk_control, risk-k (k >= 1) binds a port pair counted from bus.risk_shards_from (port P):
pub on P + 2(k-1), control on P + 2(k-1) + 1, on that address's host; each keeps
<data_dir>/risk-k-of-N.sqlite.

Market's stream with N > 1: the user events of shard k's accounts (fill, position, order,
account) go on topics "<topic>.s<k>." as a numbered stream of their own (publisher name
"market.s<k>"); quotes, contracts, connection states and heartbeats stay on market's main
stream. Shard k subscribes to market_topics(k): the main stream whole and its own user
stream, so each stream it follows is gap-free and a real gap is still seen. With N = 1 every
topic is as it always was.

A risk state file written for another N is never read: the shard refuses to start and says how
to migrate (foreign_state_files, refusal), since the accounts it holds would belong elsewhere.
So that a changed risk_shards never leaves the accounts unguarded, riskd runs risk with the
count its state was kept for while the data directory holds state for that one other count
only (held, held_words; services/supervisor/shardhold.py): the new count waits for the
migration (docs/scaling.md, "Changing the number of shards").
"""
from __future__ import annotations

import os
import re
from typing import Optional

from shared import topics

RISK = "risk"
MAX_SHARDS = 16
SHARD_ENV = "RISKD_RISK_SHARD"        # the supervisor tells each risk process its index
SINGLE_FILE = "risk.sqlite"
_SHARD_FILE = re.compile(r"^risk-(\d+)-of-(\d+)\.sqlite$")
_SHARD_NAME = re.compile(r"^risk-(\d+)$")


USER_TOPICS = (topics.FILL, topics.POSITION, topics.ORDER, topics.ACCOUNT)
# everything market publishes on its main stream: a shard must take all of it, or it would
# see holes in that stream's numbers (a new topic on market's main PUB belongs here)
MARKET_SHARED_TOPICS = (topics.QUOTE, topics.CONTRACT, topics.CONNECTION, topics.HEARTBEAT)


def user_topic(topic: str, index: int) -> str:
    """Market's topic for a user event of shard `index`'s accounts ("fill.s1.")."""
    return f"{topic}.s{index}."


def user_stream(index: int) -> str:
    """The publisher name of shard `index`'s user-event stream on market's PUB."""
    return f"market.s{index}"


def market_topics(index: int) -> list[str]:
    """What shard `index` subscribes to on market's PUB (N > 1)."""
    return [*MARKET_SHARED_TOPICS, *(user_topic(t, index) for t in USER_TOPICS)]


def shard_of(account_id: int, shards: int) -> int:
    """The shard that owns an account: its id modulo the number of shards."""
    return int(account_id) % shards


def names(shards: int) -> list[str]:
    """The risk workers' names: ["risk"] for one shard, else risk-0 ... risk-(N-1)."""
    return [RISK] if shards == 1 else [f"{RISK}-{k}" for k in range(shards)]


def name_of(index: int, shards: int) -> str:
    return names(shards)[index]


def index_of(name: str) -> Optional[int]:
    """0 for "risk", k for "risk-k", None for any other worker."""
    if name == RISK:
        return 0
    m = _SHARD_NAME.match(name)
    return int(m.group(1)) if m else None


def base_name(name: str) -> str:
    """The worker kind: "risk" for every risk shard, the name itself otherwise."""
    return RISK if index_of(name) is not None else name


def state_file(index: int, shards: int) -> str:
    return SINGLE_FILE if shards == 1 else f"risk-{index}-of-{shards}.sqlite"


def port_of(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


def addresses(bus, index: int) -> tuple[str, str]:
    """(pub, control) of shard `index` (shard 0: bus.risk_pub, bus.risk_control)."""
    if index == 0:
        return bus.risk_pub, bus.risk_control
    host, port = port_of(bus.risk_shards_from)
    first = port + 2 * (index - 1)
    return f"{host}:{first}", f"{host}:{first + 1}"


def all_pubs(config) -> list[str]:
    """Every risk shard's PUB address (one entry with a single shard)."""
    return [addresses(config.bus, k)[0] for k in range(config.supervisor.risk_shards)]


def foreign_state_files(data_dir: str, index: int, shards: int) -> list[str]:
    """Risk state files in data_dir written for another number of shards."""
    try:
        entries = sorted(os.listdir(data_dir))
    except OSError:
        return []
    out = []
    for entry in entries:
        if entry == SINGLE_FILE and shards != 1:
            out.append(entry)
        m = _SHARD_FILE.match(entry)
        if m and int(m.group(2)) != shards:
            out.append(entry)
    return out


def count_of(entry: str) -> Optional[int]:
    """The shard count a risk state file was written for (1 for risk.sqlite), None for any
    other file (its -wal/-shm, a .corrupt- copy, another worker's)."""
    if entry == SINGLE_FILE:
        return 1
    m = _SHARD_FILE.match(entry)
    return int(m.group(2)) if m else None


def counts_kept(data_dir: str) -> dict[int, list[str]]:
    """{shard count: the risk state files kept for it} in data_dir."""
    try:
        entries = sorted(os.listdir(data_dir))
    except OSError:
        return {}
    out: dict[int, list[str]] = {}
    for entry in entries:
        count = count_of(entry)
        if count is not None:
            out.setdefault(count, []).append(entry)
    return out


def held(data_dir: str, configured: int) -> Optional[tuple[int, list[str]]]:
    """(M, its files) when data_dir holds risk state for one other shard count M only and none
    for `configured`: riskd runs risk as M shards, which read that state and guard every
    account, until it is migrated. None when the configured count is in force (no state,
    its own state, or state for several counts, which risk refuses as before)."""
    kept = counts_kept(data_dir)
    if configured in kept or len(kept) != 1:
        return None
    ((count, files),) = kept.items()
    return count, files


def held_words(data_dir: str, configured: int, count: int, files: list[str]) -> str:
    """What riskd does with risk_shards = configured over state kept for `count` shards."""
    return (f"[supervisor] risk_shards = {configured} is not in force: risk's state in {data_dir} "
            f"({', '.join(files)}) is kept for risk_shards = {count}, so riskd runs risk as "
            f"{count} shard{'s' if count != 1 else ''}, which read it (lockouts, today's PnL, "
            f"history) and guard every account; to change the number, migrate between trading "
            f"days (docs/scaling.md, 'Changing the number of shards')")


def edit_words(data_dir: str, configured: int) -> str:
    """What a restart will do after an edit set risk_shards = configured ('' when it takes
    that count: no state kept for another one)."""
    hold = held(data_dir, configured)
    if hold is None:
        return ""
    count, files = hold
    return (f"risk's state in {data_dir} ({', '.join(files)}) is kept for risk_shards = "
            f"{count}: riskd's restart keeps risk at {count} shard{'s' if count != 1 else ''} "
            f"(every account guarded) and says so; risk_shards = {configured} takes effect "
            f"once that state is migrated (docs/scaling.md, 'Changing the number of shards')")


def refusal(data_dir: str, shards: int, found: list[str]) -> str:
    """Why a risk shard will not start on state kept for another N, and how to migrate."""
    was = sorted({1 if f == SINGLE_FILE else int(_SHARD_FILE.match(f).group(2)) for f in found})
    return (f"risk keeps state for risk_shards = {', '.join(map(str, was))} in {data_dir} "
            f"({', '.join(found)}) but [supervisor] risk_shards = {shards}: its lockouts, "
            f"timers and today's PnL would not be read, so risk refuses to start. Either set "
            f"risk_shards back, or migrate between trading days: check `riskctl lockouts` is "
            f"empty, stop riskd, move those files out of the data directory, start riskd with "
            f"the new risk_shards (docs/scaling.md, 'Changing the number of shards')")
