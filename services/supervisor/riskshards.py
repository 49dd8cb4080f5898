"""Risk requests when risk runs as shards: to the shard that owns the account, or to all, merged.

With [supervisor] risk_shards = 1 every request goes to the one "risk" worker as before. With
N > 1 (shared/shards.py, docs/scaling.md):
- a request that names an account by id, or by a name the config's [[accounts]] resolve to an
  id, goes to the shard that owns it (id % N);
- a request that names an account only risk can resolve (a broker name not in the config) asks
  every shard: the one that knows it answers, the others say unknown_account;
- a request about every account (status, lockouts, history, rules without an account; an
  override of everyone's waiting rules) asks every shard and merges the answers. One shard's
  error (down, too slow) is the answer's error, named by shard: a partial list that silently
  lacks a shard's accounts would read as "no lockouts" where there are some.
"""
from __future__ import annotations

from typing import Callable, Optional

from shared import shards
from shared.config.accounts import find_account_quietly
from shared.messages.risk import HistoryReply, LockoutList, RiskStatusReply, RulesReply
from shared.messages.system import Reply, error, ok


PROFILE = "profile:"      # `rules override --account profile:NAME`: every account running it


def forward_risk(sup, request, respond: Callable[[Reply], None], timeout: float = 3.0) -> None:
    """Hand a risk request to the shard(s) that can answer it; respond once with one Reply."""
    n = sup.config.supervisor.risk_shards
    if n == 1:
        sup.forward(shards.RISK, request, respond, timeout=timeout)
        return
    ref = (getattr(request, "account", "") or "").strip()
    if ref and not ref.startswith(PROFILE):      # a profile's accounts are on every shard
        index = owner(sup.config, ref, n)
        if index is not None:
            sup.forward(shards.name_of(index, n), request, respond, timeout=timeout)
        else:
            ask_all(sup, request, shards.names(n), lambda got: respond(known_by_one(ref, got)),
                    timeout)
        return
    ask_all(sup, request, shards.names(n), lambda got: respond(merged(request, got)), timeout)


def owner(config, ref: str, n: int) -> Optional[int]:
    """The shard of an account named by id or by a configured name; None if only risk knows."""
    if ref.isdigit():
        return shards.shard_of(int(ref), n)
    found = find_account_quietly(config.accounts, ref)     # ambiguous: risk says so
    if found is not None and found.id is not None:
        return shards.shard_of(found.id, n)
    return None


def ask_all(sup, request, names: list[str], done: Callable[[list[tuple[str, Reply]]], None],
            timeout: float) -> None:
    """Send request to every named worker; done((name, reply) in names' order) once all answer."""
    gather(names, lambda name, answered: sup.forward(name, request, answered, timeout=timeout),
           done)


def gather(names: list[str], send: Callable[[str, Callable[[Reply], None]], None],
           done: Callable[[list[tuple[str, Reply]]], None]) -> None:
    """send(name, answered) for every name; done((name, reply) in names' order) once all
    answered (a request to every shard, or an operator's action on every shard)."""
    got: dict[str, Reply] = {}

    def one(name: str) -> Callable[[Reply], None]:
        def answered(reply: Reply) -> None:
            got[name] = reply
            if len(got) == len(names):
                done([(n, got[n]) for n in names])
        return answered
    for name in names:
        send(name, one(name))


def known_by_one(ref: str, got: list[tuple[str, Reply]]) -> Reply:
    """The answer of the shard that knows the account; else why none did."""
    for _name, reply in got:
        if reply.ok:
            return reply
    failed = [(name, r) for name, r in got if r.code != "unknown_account"]
    if failed:           # the account may be on the shard that did not answer
        name, r = failed[0]
        return error(r.code, f"{name}: {r.reason}")
    return error("unknown_account", f"no risk shard knows account {ref!r} ("
                 + "; ".join(f"{name}: {r.reason}" for name, r in got) + ")")


def merged(request, got: list[tuple[str, Reply]]) -> Reply:
    """Every shard's answer as one (each shard holds different accounts)."""
    for name, reply in got:
        if not reply.ok:
            return error(reply.code, f"{name}: {reply.reason}")
    bodies = [r.body for _n, r in got]
    if all(b is None for b in bodies):
        return ok(reason="; ".join(f"{n}: {r.reason}" for n, r in got if r.reason))
    first = bodies[0]
    if isinstance(first, RiskStatusReply):
        return ok(RiskStatusReply(
            accounts=sorted((a for b in bodies for a in b.accounts), key=lambda a: a.account_id),
            market_synced=all(b.market_synced for b in bodies),
            # the oldest shard's: what any of them shows is as of then at least
            market_heard_ns=min((b.market_heard_ns for b in bodies if b.market_heard_ns),
                                default=0),
            unreported=[u for b in bodies for u in b.unreported]))
    if isinstance(first, LockoutList):
        return ok(LockoutList(lockouts=[lk for b in bodies for lk in b.lockouts],
                              not_guarded={k: v for b in bodies for k, v in
                                           (b.not_guarded or {}).items()}))
    if isinstance(first, RulesReply):
        return ok(RulesReply(accounts=sorted((a for b in bodies for a in b.accounts),
                                             key=lambda a: a.account_id)))
    if isinstance(first, HistoryReply):
        return ok(merged_history(bodies, getattr(request, "limit", 200)))
    return error("internal", f"cannot merge the risk shards' {type(first).__name__} answers")


def merged_history(bodies: list[HistoryReply], limit: int) -> HistoryReply:
    """The newest `limit` entries of all shards, oldest first (as one risk's history reads)."""
    entries = sorted(((x.ts_ns, kind, x) for b in bodies
                      for kind, items in (("decisions", b.decisions), ("warnings", b.warnings),
                                          ("lockouts", b.lockouts)) for x in items),
                     key=lambda e: e[0])
    entries = entries[-max(1, min(int(limit), 5000)):]
    out = HistoryReply()
    for _ts, kind, x in entries:
        getattr(out, kind).append(x)
    for b in bodies:            # each shard's failed actions of its own accounts
        out.failing.extend(getattr(b, "failing", ()) or ())
        out.ended.update(getattr(b, "ended", None) or {})
    return out
