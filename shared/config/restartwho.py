"""Which restart a restart-only setting needs: the one rule for edit answers and worker logs.

Settings of the restart-only sections (shared/config/live.py) are read at a process's start.
Two kinds (fresh-user trial 15b: "saved (applied live; needs a restart to take effect: bus)"
then `riskctl restart risk` put risk on the new address while the supervisor looked for it
on the old one and killed it as hung, every 15 s):

- riskd-wide: [bus], [paths], [supervisor] and broker.kind. The supervisor bound or read them
  at its start, and every worker it (re)starts takes them from the running supervisor
  (shared/config/pinned.py), so only a full restart of riskd applies them: `riskctl shutdown`,
  then `make run` (or the service manager's start).
- per worker: the rest of [broker]. The workers that talk to the broker read it when they
  start, so restarting those workers applies it (broker.api_key: the sim broker, which checks
  it, market and enforcement; broker.stale_after: market and risk).

plan(old, new) names, for the keys that differ between two configs as read from the file, the
processes to restart; Restarts.words() says it ("" when nothing waits for a restart). The
keys are compared edit by edit (the file before and after), so a later unrelated edit does not
repeat an earlier edit's restart (trial 15b: every later edit answered "needs a restart to take
effect: broker"). A key the edit sets back to what riskd runs (`running`, the supervisor's
pinned sections, for a riskd-wide key; `workers_run`, the config each running worker started
with, for a worker's key) needs nothing restarted: Restarts.back names it, and
back_words() says so (trial 15c: setting bus.notify_pub back to the running port answered
"NOT in force yet ... `riskctl shutdown`", a needless shutdown of the guard).
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

import attrs

from shared.config.convert import config_converter
from shared.config.live import RESTART_SECTIONS
from shared.config.sections import WORKER_NAMES

RISKD = "riskd"                 # the whole of riskd: `riskctl shutdown`, then `make run`
RISKD_WIDE = ("bus", "paths", "supervisor")
FULL_RESTART = "`{ctl} shutdown`, then `make run` (or the service manager's start)"
BROKER_USERS = ("market", "enforcement")


def _flatten(node: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(node, dict) and node:
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}", out)
    else:
        out[prefix] = node


def changed_keys(old, new) -> list[str]:
    """Dotted keys of the restart-only sections whose values differ (never the values)."""
    keys: list[str] = []
    for section in RESTART_SECTIONS:
        if not hasattr(old, section) or getattr(old, section) == getattr(new, section):
            continue
        a: dict[str, Any] = {}
        b: dict[str, Any] = {}
        _flatten(config_converter.unstructure(getattr(old, section)), section, a)
        _flatten(config_converter.unstructure(getattr(new, section)), section, b)
        keys += [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    return keys


def value_of(config, key: str) -> Any:
    """The value of a dotted key of a restart-only section in config (None when absent)."""
    section = key.split(".")[0]
    out: dict[str, Any] = {}
    _flatten(config_converter.unstructure(getattr(config, section)), section, out)
    return out.get(key)


def processes_for(key: str, old, new) -> tuple[str, ...]:
    """The processes to restart for `key` to take effect: (RISKD,) for a riskd-wide one, ()
    when no process reads it (a [broker.sim] setting with no sim broker)."""
    section = key.split(".")[0]
    if section in RISKD_WIDE or key == "broker.kind":
        return (RISKD,)
    sim = "sim" in (old.broker.kind, new.broker.kind)
    if key == "broker.stale_after":
        return ("market", "risk")
    if key.startswith("broker.sim."):
        who = ("simbroker",) if sim else ()
        if old.broker.endpoints() != new.broker.endpoints():
            who += BROKER_USERS
        return who
    if key in ("broker.api_key", "broker.user_name") and sim:
        return ("simbroker", *BROKER_USERS)        # the sim checks the login too
    return BROKER_USERS


@attrs.frozen
class Restarts:
    """What one change of the file needs restarted: key -> the processes that read it."""
    keys: dict = attrs.Factory(dict)
    # riskd-wide keys this change set back to the value riskd runs: nothing to restart
    back: tuple = ()

    @property
    def sections(self) -> list[str]:
        """The restart-only sections (table names) the change touched."""
        return sorted({k.split(".")[0] for k in self.keys},
                      key=lambda s: RESTART_SECTIONS.index(s))

    def riskd_keys(self) -> list[str]:
        return [k for k, who in self.keys.items() if RISKD in who]

    def workers(self) -> list[str]:
        """The workers to restart (riskd's order), for the keys a worker restart applies."""
        wanted = {w for k, who in self.keys.items() if RISKD not in who for w in who}
        return [w for w in WORKER_NAMES if w in wanted]

    def words(self, running: Optional[Iterable[str]] = None, ctl: str = "riskctl") -> str:
        """'' when nothing waits for a restart; else what to restart, and how. running: the
        workers running now (base names): one not running reads the value when it starts, so
        it is not named."""
        parts = []
        full = self.riskd_keys()
        if full:
            parts.append(f"{', '.join(full)} takes effect only when riskd itself restarts: "
                         f"{FULL_RESTART.format(ctl=ctl)}; restarting a worker cannot apply it (riskd and every "
                         f"worker it starts keep the running value until then)")
        keys = [k for k in self.keys if RISKD not in self.keys[k] and self.keys[k]]
        workers = self.workers()
        up = [w for w in workers if running is None or w in set(running)]
        if keys and up:
            commands = ", ".join(f"`{ctl} restart {w}`" for w in up)
            first = (f"; simbroker first: {_and(up[1:])} log{'s' if len(up) == 2 else ''} "
                     f"in to it" if up[0] == "simbroker" and len(up) > 1 else "")
            parts.append(f"restart {_and(up)} for {', '.join(keys)} to take effect: {commands}"
                         f" (until then {'they keep' if len(up) > 1 else 'it keeps'} the "
                         f"old value{first})")
        # none of them runs: each reads the file's value when it starts, nothing to restart
        return "; ".join(parts)


    def back_words(self) -> str:
        """'' unless the change set riskd-wide keys back to what riskd runs: then says that
        nothing waits for a restart for them."""
        if not self.back:
            return ""
        return (f"{', '.join(self.back)} {'match' if len(self.back) > 1 else 'matches'} what "
                f"riskd runs: nothing to restart")


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def plan(old, new, running=None, workers_run: Optional[dict] = None) -> Restarts:
    """The restarts a change of the file from `old` to `new` needs (both as read from it).
    running: the config riskd runs (the supervisor's, riskd-wide sections pinned at its
    start); a riskd-wide key whose new value is the running one needs no restart (back).
    workers_run: worker base name -> the configs its running processes started with; a
    worker whose every process runs the new value is not named, and a key that every running
    worker reading it runs already is back too (a restore that puts broker.api_key back; a
    worker not running reads the file's value when it starts)."""
    keys = {}
    back = []
    for key in changed_keys(old, new):
        who = processes_for(key, old, new)
        if who == (RISKD,):
            if running is not None and value_of(new, key) == value_of(running, key):
                back.append(key)
            else:
                keys[key] = who
            continue
        if workers_run is not None:
            up = [w for w in who if w in workers_run]
            stale = [w for w in up if any(value_of(c, key) != value_of(new, key)
                                          for c in workers_run[w])]
            if up and not stale:      # those running run it; the others read it at start
                back.append(key)
                continue
            who = tuple(w for w in who if w in stale or w not in workers_run)
        if who:
            keys[key] = who
    return Restarts(keys, tuple(back))
