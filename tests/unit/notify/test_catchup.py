"""The start-up catch-up's pieces: what notify remembers of itself and of the decisions it
took (notify.sqlite), and the window it asks risk for (services/notify/catchup.py)."""
from __future__ import annotations

from services.notify import catchup
from services.notify.outbox import Outbox

S = 10**9


def test_the_outbox_remembers_when_notify_ran_and_which_decisions_it_took(tmp_path):
    box = Outbox(str(tmp_path / "notify.sqlite"))
    assert box.last_alive() is None                      # a first run: nothing to catch up
    box.alive(100 * S)
    box.alive(102 * S)
    assert box.decided("d1") is False
    box.mark_decided("d1", 102 * S)
    box.mark_decided("d1", 103 * S)                      # twice: still one
    box.close()
    again = Outbox(str(tmp_path / "notify.sqlite"))      # the next run reads them back
    assert again.last_alive() == 102 * S
    assert again.decided("d1") and not again.decided("d2")
    again.mark_decided("d2", 103 * S + catchup.MAX_BACK_NS * 4)     # the old ones go
    assert not again.decided("d1") and again.decided("d2")
    again.close()


def test_the_window_starts_before_the_last_sign_of_life_and_at_most_a_day_back():
    now = 10 * catchup.MAX_BACK_NS
    assert catchup.window_start(None, now) is None
    assert catchup.window_start(now - 20 * S, now) == now - 20 * S - int(
        (catchup.ALIVE_EVERY_S + 1) * S)
    assert catchup.window_start(0, now) == now - catchup.MAX_BACK_NS
