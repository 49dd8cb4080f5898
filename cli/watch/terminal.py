"""Opening the terminal for `riskctl watch`, so that it draws on any terminal and never hangs.

blessed asks the terminal about itself when it opens (XTGETTCAP capabilities, the cursor
position, the terminal's version) and waits for each answer for 5 s by default. A
pseudo-terminal that never answers (a test harness, some serial consoles and multiplexers)
kept the screen blank for 10 s (third trial: "watch draws nothing"). Each query here waits at
most QUERY_TIMEOUT_S and falls back to the terminfo entry of TERM (a terminal that answers
answers in milliseconds; BLESSED_QUERY_TIMEOUT_SECONDS, when set, is respected). A terminal
that reports no size (a pty nobody sized) is drawn at COLUMNS x LINES, else 80x24.
"""
from __future__ import annotations

import os

QUERY_TIMEOUT_ENV = "BLESSED_QUERY_TIMEOUT_SECONDS"
QUERY_TIMEOUT_S = 0.5
FALLBACK_SIZE = (80, 24)


def open_terminal():
    """A blessed Terminal whose queries time out in QUERY_TIMEOUT_S. blessed reads the timeout
    when it is first imported, so this is the one place riskctl imports it."""
    os.environ.setdefault(QUERY_TIMEOUT_ENV, str(QUERY_TIMEOUT_S))
    import blessed
    return blessed.Terminal()


def _env_int(name: str) -> int:
    try:
        return int(os.environ.get(name, ""))
    except ValueError:
        return 0


def size_of(term) -> tuple[int, int]:
    """(width, height) to draw at: the terminal's, or COLUMNS / LINES, or 80x24 when it reports
    none (0 or less)."""
    width, height = term.width or 0, term.height or 0
    return (width if width > 0 else _env_int("COLUMNS") or FALLBACK_SIZE[0],
            height if height > 0 else _env_int("LINES") or FALLBACK_SIZE[1])
