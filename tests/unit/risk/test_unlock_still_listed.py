"""An unlock of a symbol symbol_blocks still lists warns that its next trade is closed and
the symbol locked again, and says how to take it off the list (fresh-user trial 15b, finding 8:
`rules set 1002 symbol_blocks symbols '["CL"]'`, a CL buy closed and CL locked, then `unlock
1002 --symbol CL` answered "1 lockout ended" without a word; the next CL buy was closed and
locked again).

The shipped rules (etc/riskd.toml: symbol_blocks on, nothing listed) with MNQ and ES listed,
as an admin's `rules set` leaves them."""
from __future__ import annotations

from services.notify.templates import Context, lockout_alert
from shared.pastwords import past_words
from tests.unit.risk.desk import CHI
from tests.unit.risk.test_withdraw import DEMO1, Run
from tests.unit.risk.test_withdraw_lockout_end import Listed

REMOVE = ("MNQ is still listed in symbol_blocks: its next trade is closed and MNQ locked "
          "again; remove it with `riskctl rules set 1001 symbol_blocks symbols '[\"ES\"]'` "
          "(a loosening: it waits for the roll unless overridden")


def test_unlock_of_a_listed_symbol_warns_it_is_locked_again_and_how_to_unlist_it():
    run = Run()
    run.long_mnq(DEMO1, 1)
    run.engine.settings = Listed(run.engine.settings, ["MNQ", "ES"])
    run.engine.recheck(run.now)
    # every listed symbol is locked
    assert sorted((lk.symbol, lk.rule) for lk in run.engine.lockouts.all(DEMO1)) == [
        ("ES", "symbol_blocks"), ("MNQ", "symbol_blocks")]
    out, refusal = run.engine.unlock(DEMO1, "MNQ", "admin:root", "allow it today", run.now)
    assert refusal == ""
    [ended] = out.lockouts
    assert [past_words(p, "") for p in ended.still_past] == [REMOVE + ": riskctl rules "
                                                            "override)"]
    alert = lockout_alert(ended, Context(tz=CHI, accounts={DEMO1: "Demo 1"}))
    assert alert.severity == "warning" and any(REMOVE in line for line in alert.lines), alert
    assert alert.title.endswith(": ⚠️ MNQ still listed in symbol_blocks"), alert.title


def test_unlock_of_a_symbol_no_longer_listed_warns_nothing():
    run = Run()
    run.long_mnq(DEMO1, 1)
    shipped = run.engine.settings
    run.engine.settings = Listed(shipped, ["MNQ"])
    run.engine.recheck(run.now)
    # the list is emptied but the lockout is still there (risk has not rechecked yet)
    run.engine.settings = Listed(shipped, [])
    out, _ = run.engine.unlock(DEMO1, "MNQ", "admin:root", "x", run.now)
    assert [c.still_past for c in out.lockouts] == [[]]
