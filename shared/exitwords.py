"""How a worker process ended, in words: one text for the supervisor's reasons (`riskctl
workers`, status) and notify's crash alert. "killed by signal 9 (SIGKILL)" for a negative
exit status (POSIX: the signal that ended it), "refused to start: invalid config (exit 78)",
"exited with code 1". Trial 2026-12-05: "💥 Worker risk crashed (exit code -9)"."""
from __future__ import annotations

import signal
from typing import Optional

EXIT_CONFIG = 78     # EX_CONFIG: a worker exits with it on a bad config (shared/worker.py)


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
    return f"exited with code {code}"
