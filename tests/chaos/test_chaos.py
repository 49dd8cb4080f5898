"""The reliability suite, shortened for `make test`: the same session without and with chaos.

`make chaos` runs the long form (more orders, a slower pace, several seeds).
"""
import pytest

from tests.chaos.runner import SessionRun, check, compare

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_a_session_under_chaos_ends_like_the_same_session_without_it(procs, tmp_path):
    calm_dir = tmp_path / "calm"
    calm_dir.mkdir()
    calm = SessionRun(procs, calm_dir, chaos=False)
    calm.start()
    calm_outcome = calm.run()
    assert check(calm_outcome) == [], calm_outcome
    procs.cleanup()

    chaos_dir = tmp_path / "chaos"
    chaos_dir.mkdir()
    chaotic = SessionRun(procs, chaos_dir, chaos=True, seed=7)
    chaotic.start()
    outcome = chaotic.run()
    assert len(outcome.chaos_actions) >= 4, outcome.chaos_actions
    assert check(outcome) == [], (outcome, outcome.chaos_actions)
    assert compare(calm_outcome, outcome) == [], outcome.chaos_actions
