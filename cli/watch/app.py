"""`riskctl watch`'s terminal loop: blessed, full screen, redrawing only the lines that changed.

One context manager (screen()) enters the alternate screen, hides the cursor
and switches to cbreak; leaving it restores the terminal on every exit path:
q, Ctrl-C, SIGTERM/SIGHUP (turned into SystemExit), an exception. Each pass
of the loop drains the data source, rebuilds the Screen from the model for
the current instant (so countdowns tick), lays it out for the current size
and writes the lines that differ from the last frame; keys are read with a
timeout, so the screen redraws at least every FRAME seconds.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import signal
import sys
import time
from typing import Callable

from cli.watch.model import WatchState, build_screen
from cli.watch.terminal import size_of
from cli.watch.view import Line, render

FRAME = 0.1                   # seconds between passes: 10 redraw checks a second
NEXT_KEYS = ("KEY_TAB", "KEY_RIGHT", "KEY_DOWN")
PREV_KEYS = ("KEY_BTAB", "KEY_LEFT", "KEY_UP")


@contextlib.contextmanager
def screen(term):
    """Alternate screen + hidden cursor + cbreak, all restored on the way out, whatever happens."""
    def as_exit(signum, _frame):
        raise SystemExit(128 + signum)
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            previous[sig] = signal.signal(sig, as_exit)
    try:
        with term.fullscreen(), term.hidden_cursor(), term.cbreak():
            term.stream.write(term.clear)
            term.stream.flush()
            yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        term.stream.write(term.normal)
        term.stream.flush()


class Painter:
    """Writes a frame to the terminal: only the rows that differ from what is on screen."""

    def __init__(self, term):
        self.term = term
        self.shown: list[Line] = []
        self.size = (0, 0)
        self.styles = {
            "": "", "bold": term.bold, "dim": term.bright_black, "green": term.green,
            "amber": term.yellow, "red": term.bold_red, "banner": term.bold_white_on_red,
            "error": term.bold_white_on_red, "warning": term.black_on_yellow,
            "tab": term.black_on_white,
        }

    def paint(self, lines: list[Line]) -> int:
        """Write the changed rows; returns how many rows were written."""
        size = size_of(self.term)
        out = []
        if size != self.size:
            self.size, self.shown = size, []
            out.append(self.term.clear)
        written = 0
        for row, line in enumerate(lines):
            if row < len(self.shown) and self.shown[row] == line:
                continue
            out.append(self.term.move_yx(row, 0))
            out.append("".join(f"{self.styles.get(style, '')}{text}{self.term.normal}"
                               if style else text for text, style in line))
            out.append(self.term.clear_eol)
            written += 1
        for row in range(len(lines), len(self.shown)):
            out.append(self.term.move_yx(row, 0) + self.term.clear_eol)
        self.shown = list(lines)
        if out:
            self.term.stream.write("".join(out))
            self.term.stream.flush()
        return written


def supports_unicode() -> bool:
    encoding = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "")
    return encoding.startswith("utf")


def run(term, source, calendar, tz: dt.tzinfo,
        now_ns: Callable[[], int] = time.time_ns, frame: float = FRAME,
        unicode: bool = True) -> int:
    """The loop: drain the source, build, lay out, paint, read a key. Returns the exit code."""
    state = WatchState()
    selected = 0
    unicode = unicode and supports_unicode()
    painter = Painter(term)
    with screen(term):
        while True:
            for msg in source.drain():
                state.apply(msg)
            view = build_screen(state, now_ns(), tz, calendar, selected, refreshes=True)
            selected = view.selected
            painter.paint(render(view, *size_of(term), unicode=unicode))
            key = term.inkey(timeout=frame)
            if not key:
                continue
            if key in ("q", "Q") or key.name == "KEY_ESCAPE":
                return 0
            count = max(1, len(view.accounts))
            if key.name in NEXT_KEYS or key == "\t":
                selected = (selected + 1) % count
            elif key.name in PREV_KEYS:
                selected = (selected - 1) % count
            elif key.isdigit() and 1 <= int(key) <= count:
                selected = int(key) - 1
            elif key == "\x0c":           # Ctrl-L: repaint everything
                painter.size = (0, 0)
