"""`riskctl status` piped never loses the end of a line silently (fresh-user trial 2026-12-06:
lines cut at the width mid-sentence, nothing to say more was there). Printed once, a banner
is wrapped whole; a line or a column still too narrow ends in '…'."""
from __future__ import annotations

from cli.watch.model import build_screen
from cli.watch.view import CUT, column, fit, plain, render, seg, text_of
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, state

LONG_WHY = ("net -612.50 <= -600.00: realized -590.00 incl. fees 4.20 and open -22.50 on MNQ, "
            "the open figure at the last quotes; the account stays locked until the roll, "
            "then trades again with every rule in force")


def test_a_cut_line_ends_in_an_ellipsis_and_padding_is_cut_silently():
    assert text_of(fit([seg("realized "), seg("-312.50 incl. fees")], 12)) == "realized -3" + CUT
    assert text_of(fit([seg("net"), seg(" +45.00")], 7)) == "net +4" + CUT
    assert text_of(fit([seg("net +45.00".ljust(40))], 12)) == "net +45.00  "   # blanks only
    assert text_of(fit([seg("abc"), seg("   ")], 3)) == "abc"
    assert column("not sent: locked already, extended", 24) == "not sent: locked alread" + CUT
    assert column("done", 8) == "done    "


def test_status_prints_a_long_banner_whole_and_no_line_ends_cut_without_saying_so():
    s = state(account(lockouts=[lockout(reason=LONG_WHY)]))
    for width in (60, 100):
        text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), width, None,
                            unicode=False))
        assert "with every rule in force" in " ".join(text.split()), text
        assert " ..." not in text, text
        assert max(map(len, text.splitlines())) <= width
