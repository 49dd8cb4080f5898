"""The watch loop's painter writes only the rows that changed, and everything after a resize."""
from __future__ import annotations

import io

import blessed

from cli.watch.app import Painter


class Term(blessed.Terminal):
    """A terminal of a fixed size writing to memory (no tty needed)."""

    def __init__(self, width, height):
        super().__init__(kind="xterm-256color", stream=io.StringIO(), force_styling=True)
        self.size = (width, height)

    @property
    def width(self):
        return self.size[0]

    @property
    def height(self):
        return self.size[1]


def frame(*texts):
    return [((t, ""),) for t in texts]


def test_only_changed_rows_are_written_and_a_resize_repaints_everything(capsys):
    term = Term(80, 24)
    painter = Painter(term)
    assert painter.paint(frame("a", "b", "c")) == 3
    assert painter.paint(frame("a", "b", "c")) == 0
    assert painter.paint(frame("a", "B", "c")) == 1
    out = capsys.readouterr().out
    assert "B" in out
    term.size = (100, 30)
    assert painter.paint(frame("a", "B", "c")) == 3
