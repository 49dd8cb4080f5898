"""Trial22b finding 5: `riskctl accounts disable 1002` (no --now) waits for the roll, and the
trader's screen said nothing of it while a waiting rule loosening showed "(limit 4 at roll)".
Risk's account status now says the disable waits (unguarded_at_roll), and status/watch show
it as a banner with the roll's time; `accounts enable` takes it back. The real RiskWorker
(tests/unit/risk/test_disable_now.py's rig), its config etc/riskd.toml's two accounts."""
from __future__ import annotations

from shared.config.account_edit import set_account_enabled
from shared.messages.risk import RiskStatusRequest
from tests.unit.risk.test_disable_now import DEMO1, DEMO2, ask, worker  # noqa: F401 (fixture)
from tests.unit.risk.worker_rig import reload


def statuses(w) -> dict:
    return {a.account_id: a for a in ask(w, RiskStatusRequest()).body.accounts}


def test_a_disable_waiting_for_the_roll_is_in_the_account_status(worker):  # noqa: F811
    w, path, backups, _sent = worker
    assert not statuses(w)[DEMO2].unguarded_at_roll
    set_account_enabled(path, "1002", False, backups)
    reload(w, path)
    now = statuses(w)
    assert now[DEMO2].unguarded_at_roll and not now[DEMO2].not_guarded   # guarded until then
    assert not now[DEMO1].unguarded_at_roll
    set_account_enabled(path, "1002", True, backups)          # the enable cancels it
    reload(w, path)
    assert not statuses(w)[DEMO2].unguarded_at_roll
