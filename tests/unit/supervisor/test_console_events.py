"""Console events on Windows: Ctrl-C, Ctrl-Break, close and shutdown stop riskd; a logoff never does."""
from __future__ import annotations

import pytest

from shared import winconsole as wc


@pytest.mark.parametrize("event, expected", [
    (wc.CTRL_C_EVENT, wc.PASS), (wc.CTRL_BREAK_EVENT, wc.PASS),     # Python's SIGINT/SIGBREAK
    (wc.CTRL_CLOSE_EVENT, wc.STOP), (wc.CTRL_SHUTDOWN_EVENT, wc.STOP),
    (wc.CTRL_LOGOFF_EVENT, wc.IGNORE), (3, wc.PASS), (99, wc.PASS),
])
def test_each_event_maps_to_one_action(event, expected):
    assert wc.action(event) == expected


def run(event):
    stops, waits = [], []
    handled = wc.make_handler(lambda *a: stops.append(a), wait=waits.append, wait_s=4.5)(event)
    return handled, stops, waits


def test_a_logoff_is_handled_so_the_default_handler_does_not_end_riskd_and_nothing_stops():
    assert run(wc.CTRL_LOGOFF_EVENT) == (True, [], [])


@pytest.mark.parametrize("event", [wc.CTRL_CLOSE_EVENT, wc.CTRL_SHUTDOWN_EVENT])
def test_close_and_shutdown_ask_for_the_stop_then_wait_for_the_exit(event):
    assert run(event) == (True, [(event, None)], [4.5])


@pytest.mark.parametrize("event", [wc.CTRL_C_EVENT, wc.CTRL_BREAK_EVENT])
def test_ctrl_c_and_ctrl_break_go_on_to_pythons_signal_handlers(event):
    assert run(event) == (False, [], [])
