"""How a worker process ended, in words: one text for the supervisor's reasons (`riskctl
workers`, status) and notify's crash alert. "killed by signal 9 (SIGKILL)" for a negative
exit status (POSIX: the signal that ended it), "refused to start: invalid config (exit 78)",
"exited with code 1". Trial 2026-12-05: "💥 Worker risk crashed (exit code -9)"."""
from __future__ import annotations

import re
import signal
from typing import Iterable, Optional

EXIT_CONFIG = 78     # EX_CONFIG: a worker exits with it on a bad config (shared/worker.py)
EXIT_PORT_TAKEN = 76  # a worker's port is in use (shared/worker.py): a restart cannot help
# risk found state kept for another [supervisor] risk_shards (shared/shards.refusal): the config
# is valid (trial 16c: `riskctl workers` said "invalid config (exit 78)")
EXIT_SHARD_STATE = 79


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return ""


def exit_words(code: Optional[int]) -> str:
    """'killed by signal 9 (SIGKILL)', 'exited with code 1', 'exited' when not known."""
    if code is None:
        return "exited"
    if code < 0:
        name = signal_name(-code)
        return f"killed by signal {-code}" + (f" ({name})" if name else "")
    if code == EXIT_CONFIG:
        return "refused to start: invalid config (exit 78)"
    if code == EXIT_PORT_TAKEN:
        return "cannot start: its port is taken (exit 76)"
    if code == EXIT_SHARD_STATE:
        return ("refused to start: risk's state is kept for another risk_shards (exit 79; "
                "docs/scaling.md, 'Changing the number of shards')")
    return f"exited with code {code}"


def kill_words(why: str) -> str:
    """A process the supervisor killed, in words for LAST EXIT: 'silent for 5.0 s (heartbeat
    timeout 5 s): hung' -> 'killed by the supervisor as hung (silent for 5.0 s)'. Trial: after
    a `kill -STOP` of risk, `riskctl workers` read 'killed by signal 9 (SIGKILL)' as if
    someone else had killed it."""
    if why.endswith(": hung"):
        detail = why[:-len(": hung")].split(" (heartbeat timeout")[0]
        return f"killed by the supervisor as hung ({detail})"
    if why.startswith("no sign of life"):
        return f"killed by the supervisor as hung ({why})"
    return f"killed by the supervisor ({why})"


_KILLED = re.compile(r"killed by signal \d+(?: \(\w+\))?")


def where_why(process: str, whys: Iterable[str]) -> str:
    """Where to read why a worker keeps crashing: its log (`riskctl logs --process NAME`),
    unless each crash was a signal from outside riskd (a `kill -9`, the kernel's out-of-memory
    killer), which a process cannot log; then it says so (trial15c: after two outside
    SIGKILLs, "`riskctl logs --process risk` says why it crashes", and it said nothing).
    whys: the crashes' reasons as the supervisor words them ("crashed: killed by signal 9
    (SIGKILL)"); the supervisor's own kills of a hung worker are not from outside."""
    whys = [w for w in whys if w]
    kills = [_KILLED.search(w) for w in whys]
    if whys and all(kills) and not any("supervisor" in w or "hung" in w for w in whys):
        return (f"it was {kills[-1].group(0)}, sent from outside riskd, which leaves nothing "
                f"in its log: look for what kills it on this machine (a person, a script, "
                f"the kernel's out-of-memory killer)")
    return f"`riskctl logs --process {process}` says why it crashes"
