"""While market is stopped, `riskctl watch` writes its "NOT GUARDED now" notice once (trial18a
section 9: "NOT GUARDED now: market not running" and right under it "NOT GUARDED now: market
not running; prices and open PnL not live ..."). The supervisor's status reaches the screen a
request ahead of risk's figures (cli/watch/source.py): the first frame had the short notice,
the next one the notice with the prices' note, written over it; a terminal's transcript
(`script`) had both lines. The notice is the same from the first frame on, so its row is not
written again. The watch loop's painter on a terminal in memory (tests/unit/cli/
test_watch_painter.py's Term)."""
from __future__ import annotations

from cli.watch.app import Painter
from cli.watch.model import build_screen
from cli.watch.view import render
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state
from tests.unit.cli.test_prices_not_live import mnq, supervisor
from tests.unit.cli.test_watch_painter import Term

NOTICE = ("NOT GUARDED now: market not running; positions, orders, trades, PnL and prices not "
          "live (market is not running): as of market's last message")


def frame(term: Term, painter: Painter, s) -> str:
    screen = build_screen(s, NOW, CHICAGO, CALENDAR, refreshes=True)
    painter.paint(render(screen, term.width, term.height))
    return screen.notice


def test_the_guard_notice_is_written_once_when_the_figures_come_after_the_status():
    term = Term(80, 30)
    painter = Painter(term)
    s = state()                            # riskd answers; no figures yet
    s.apply(supervisor())                  # the supervisor's status: market stopped
    assert frame(term, painter, s) == NOTICE
    s.apply(mnq())                         # risk's figures, a request later
    assert frame(term, painter, s) == NOTICE
    assert term.text.count("NOT GUARDED now") == 1, term.text


def test_the_notice_with_figures_is_unchanged():
    s = state(account())
    s.apply(supervisor())
    assert build_screen(s, NOW, CHICAGO, CALENDAR).notice == NOTICE
