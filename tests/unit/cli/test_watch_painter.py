"""The watch loop without a real terminal: partial repaints, keys, and the terminal restored on
every way out (q, an exception)."""
from __future__ import annotations

import io
import re

import blessed
import pytest
from blessed.keyboard import Keystroke

from cli.watch import app
from cli.watch.app import Painter
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state


class Term(blessed.Terminal):
    """A terminal of a fixed size writing to memory, reading keys from a script."""

    def __init__(self, width=80, height=24, keys=()):
        super().__init__(kind="xterm-256color", stream=io.StringIO(), force_styling=True)
        self.size = (width, height)
        self.script = list(keys)

    @property
    def width(self):
        return self.size[0]

    @property
    def height(self):
        return self.size[1]

    def inkey(self, timeout=None, **_kw):
        if not self.script:
            return Keystroke("")
        key = self.script.pop(0)
        if callable(key):
            return key(self) or Keystroke("")
        return key

    @property
    def output(self) -> str:
        return self.stream.getvalue()

    @property
    def text(self) -> str:
        """What was written, without escape sequences (rows run together)."""
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.output)


class Feed:
    """A data source handing over a fixed list of messages once."""

    def __init__(self, msgs, fail_on=None):
        self.msgs, self.calls, self.fail_on = list(msgs), 0, fail_on

    def drain(self):
        self.calls += 1
        if self.fail_on is not None and self.calls >= self.fail_on:
            raise RuntimeError("the feed broke")
        out, self.msgs = self.msgs, []
        return out


def frame(*texts):
    return [((t, ""),) for t in texts]


def key(name, code=None, text=""):
    return Keystroke(text, code=code, name=name)


def test_only_changed_rows_are_written_and_a_resize_repaints_everything():
    term = Term(80, 24)
    painter = Painter(term)
    assert painter.paint(frame("a", "b", "c")) == 3
    assert painter.paint(frame("a", "b", "c")) == 0
    assert painter.paint(frame("a", "B", "c")) == 1
    assert "B" in term.output
    term.size = (100, 30)
    assert painter.paint(frame("a", "B", "c")) == 3


def messages():
    s = state(account(1001, "SIM-DEMO-1"), account(1002, "SIM-DEMO-2", realized="77"))
    return [*s.accounts.values()]


def restored(term) -> bool:
    out = term.output
    return out.rfind(term.exit_fullscreen) > out.rfind(term.enter_fullscreen) >= 0 \
        and out.rfind(term.normal_cursor) > out.rfind(term.hide_cursor) >= 0


def test_q_quits_and_leaves_the_alternate_screen_with_the_cursor_shown():
    term = Term(keys=[Keystroke(""), Keystroke("q")])
    assert app.run(term, Feed(messages()), CALENDAR, tz=CHICAGO, now_ns=lambda: NOW,
                   frame=0) == 0
    assert "SIM-DEMO-1 (id 1001)  balance" in term.text
    assert restored(term)


def test_tab_and_arrows_switch_accounts():
    shown = []
    seen = lambda t: shown.append(t.text) and None          # noqa: E731
    term = Term(keys=[Keystroke(""), key("KEY_TAB", text="\t"), seen, key("KEY_LEFT", text="\x1b[D"), seen,
                      Keystroke("2"), seen, Keystroke("q")])
    app.run(term, Feed(messages()), CALENDAR, tz=CHICAGO, now_ns=lambda: NOW, frame=0)
    assert "realized +77.00" in shown[0].split("SIM-DEMO-2 (id 1002)  balance")[-1]
    assert shown[1].rfind("SIM-DEMO-1 (id 1001)  balance") > shown[1].rfind("SIM-DEMO-2 (id 1002)  balance")
    assert shown[2].rfind("SIM-DEMO-2 (id 1002)  balance") > shown[2].rfind("SIM-DEMO-1 (id 1001)  balance")


def test_a_crash_inside_the_loop_still_restores_the_terminal():
    term = Term(keys=[Keystroke("")] * 5)
    with pytest.raises(RuntimeError, match="the feed broke"):
        app.run(term, Feed(messages(), fail_on=3), CALENDAR, tz=CHICAGO, now_ns=lambda: NOW,
                frame=0)
    assert restored(term)


def test_ctrl_c_inside_the_loop_still_restores_the_terminal():
    def interrupt(_term):
        raise KeyboardInterrupt
    term = Term(keys=[Keystroke(""), interrupt])
    with pytest.raises(KeyboardInterrupt):
        app.run(term, Feed(messages()), CALENDAR, tz=CHICAGO, now_ns=lambda: NOW, frame=0)
    assert restored(term)
