"""An admin listing a symbol in symbol_blocks is the config's block, not the trader's breach.

Fresh-user trial25a N6: `riskctl rules set profile:default symbol_blocks symbols '["CL"]'` with
nothing held in CL sent every trader's phone "⚠️ Breach symbol_blocks on Demo 1 / action: lock
CL / CL is a blocked symbol", and the daily summary counted "symbol_blocks 1" among each
account's breaches though nobody traded CL; after an admin's unlock (which ends CL's lock, as
documented) every later unrelated edit locked CL again and sent that alert again. Now: one info
line per change of the list ("CL is blocked on Demo 1 (id 1001) by the config: a trade in CL is
closed"), the same list taking it again after an unlock logged only, no breach in the summary;
a trade in CL stays a breach.

The shipped rules (etc/riskd.toml: symbol_blocks on, nothing listed) with CL listed, as the
admin's `rules set` leaves them (tests/unit/risk/test_withdraw_lockout_end.Listed)."""
from __future__ import annotations

from decimal import Decimal

from services.notify.steps import by_step, step_alert
from services.notify.templates import BREACH, LOG_ONLY, SYMBOL_LISTED, Context
from services.risk.daytally import tally
from shared.messages.market import POSITION_LONG, SIDE_BUY, Fill, PositionUpdate
from shared.messages.risk import LISTED, LISTED_AGAIN
from tests.unit.risk.desk import CHI
from tests.unit.risk.test_withdraw import DEMO1, DEMO2, Run
from tests.unit.risk.test_withdraw_lockout_end import Listed

CL = "CON.F.US.CLE.F27"
CTX = Context(tz=CHI, accounts={DEMO1: "Demo 1", DEMO2: "Demo 2"})
SAID = "🚫 CL is blocked on Demo 1 (id 1001) by the config: a trade in CL is closed"


def _alerts(out) -> list:
    """The alerts notify makes of a risk outcome (one per step: services/notify/steps.py)."""
    steps = by_step([*out.lockouts, *out.decisions])
    return [a for a in (step_alert(g, CTX) for g in steps) if a is not None]


def _day(outs) -> dict:
    """Each account's tally of these outcomes, as the daily summary counts it."""
    return tally((m.account_id if hasattr(m, "account_id") else m.lockout.account_id, m)
                 for o in outs for m in (*o.lockouts, *o.decisions))


def test_listing_a_symbol_nothing_is_held_in_is_one_info_line_not_a_breach():
    run = Run()
    run.engine.settings = Listed(run.engine.settings, ["CL"])
    out = run.engine.recheck(run.now)               # the edit's reload
    assert sorted((lk.symbol, lk.account_id) for aid in (DEMO1, DEMO2)
                  for lk in run.engine.lockouts.all(aid)) == [("CL", DEMO1), ("CL", DEMO2)]
    assert {c.listed for c in out.lockouts} == {LISTED}
    alerts = _alerts(out)
    assert [a.kind for a in alerts] == [SYMBOL_LISTED, SYMBOL_LISTED], alerts
    assert all(a.severity == "info" and not a.lines for a in alerts), alerts
    assert SAID in [a.title for a in alerts], alerts
    assert not any("Breach" in a.text for a in alerts), alerts
    day = _day([out])
    assert sum(day[DEMO1].breaches.values()) == 0 and day[DEMO1].lockouts == 0, day
    # its record stays in history (the edit's answer: "CL is locked now ...; nothing held")
    assert [d.lock.symbol for d in out.decisions if d.account_id == DEMO1] == ["CL"]


def test_after_an_unlock_an_unrelated_edit_takes_the_lock_again_unsaid():
    run = Run()
    run.engine.settings = Listed(run.engine.settings, ["CL"])
    first = run.engine.recheck(run.now)
    run.engine.unlock(DEMO1, "CL", "admin:root", "trial", run.now)
    outs = [run.engine.recheck(run.now) for _ in range(3)]      # 3 unrelated edits
    assert [lk.symbol for lk in run.engine.lockouts.all(DEMO1)] == ["CL"]   # locked (docs)
    retaken = [c for o in outs for c in o.lockouts if c.lockout.account_id == DEMO1]
    assert [c.listed for c in retaken] == [LISTED_AGAIN], retaken
    assert not [d for o in outs for d in o.decisions if d.account_id == DEMO1]
    alerts = [a for o in outs for a in _alerts(o) if a.account_id == DEMO1]
    assert [a.kind in LOG_ONLY for a in alerts] == [True], alerts
    assert sum(_day([first, *outs])[DEMO1].breaches.values()) == 0
    # a list that changes names it again: CL dropped, then listed again, is said once more
    settings = run.engine.settings
    run.engine.settings = Listed(settings._settings, [])
    run.engine.recheck(run.now)
    run.engine.settings = Listed(settings._settings, ["CL"])
    again = run.engine.recheck(run.now)
    assert [a.kind for a in _alerts(again) if a.account_id == DEMO1] == [SYMBOL_LISTED]


def test_a_trade_in_a_listed_symbol_stays_a_breach():
    run = Run()
    run.engine.settings = Listed(run.engine.settings, ["CL"])
    run.engine.recheck(run.now)
    run.engine.unlock(DEMO1, "CL", "admin:root", "trial", run.now)
    fill = run.on(Fill(account_id=DEMO1, trade_id=7, contract_id=CL, ts_ns=run.now,
                       price=Decimal("70"), pnl=None, fees=Decimal("1.40"), side=SIDE_BUY,
                       size=1))
    pos = run.on(PositionUpdate(account_id=DEMO1, position_id=7, contract_id=CL, ts_ns=run.now,
                                type=POSITION_LONG, size=1, average_price=Decimal("70")))
    decisions = [d for o in (fill, pos) for d in o.decisions if d.rule == "symbol_blocks"]
    assert [d.action for d in decisions] == ["close_position"], decisions
    alerts = [a for o in (fill, pos) for a in _alerts(o)]
    assert any(a.kind == BREACH and "Breach symbol_blocks" in a.text for a in alerts), alerts
    assert _day([fill, pos])[DEMO1].breaches["symbol_blocks"] == 1
