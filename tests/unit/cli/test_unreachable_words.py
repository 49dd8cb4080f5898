"""A worker riskd cannot reach, said as status knows it (fresh-user trial 2026-12-05:
`riskctl positions` while market restarted printed "market is not reachable (not running?)
[unreachable]": no word of the restart, no next step, an internal code)."""
from __future__ import annotations

from cli.unreachable import unreachable_text, worker_named
from shared.messages.control import WorkerInfo

REASON = "market is not reachable (not running?)"


def test_a_restarting_worker_says_so_and_to_try_again():
    text = unreachable_text(REASON, [WorkerInfo(name="risk", state="running"),
                                     WorkerInfo(name="market", state="starting")])
    assert text == ("market is restarting: try again in a few seconds (`riskctl status` shows "
                    "what riskd runs)")
    assert "[" not in text and "not running?" not in text


def test_each_state_has_its_own_next_step():
    assert "riskctl start market" in unreachable_text(
        REASON, [WorkerInfo(name="market", state="stopped")])
    assert "restarting" in unreachable_text(REASON, [WorkerInfo(name="market", state="backoff")])
    assert "riskctl logs --process market" in unreachable_text(
        REASON, [WorkerInfo(name="market", state="flapping")])


def test_without_the_supervisor_s_table_it_still_gives_the_next_step():
    assert unreachable_text(REASON, []) == (
        "market did not answer; try again in a few seconds (`riskctl status` shows what "
        "riskd runs)")
    assert worker_named("gibberish") is None
    assert unreachable_text("gibberish", []).startswith("a riskd worker did not answer")
