"""`riskctl rules set 1001 symbol_blocks symbols '["MES"]' --yes` holding MES (trial15c finding
11) answered "acted at once on Demo 1 (id 1001): lock MES on the account (manual)" and then
"acted at once on Demo 1 (id 1001): close the MES position ...; lock MES on the account
(manual)": the lock twice. Risk recorded two decisions (the listed symbol's lock, then the
close of its position, which carries the same lock); the answer says the lock once, with the
close. Risk's own decisions, from its engine's recheck on the reload (since trial 17a, one
record: the close, which carries the lock)."""
from __future__ import annotations

from services.risk.outcome import FixedRules
from services.supervisor.commands.rule_acted import acted_lines
from tests.unit.risk.desk import ES, SIDE_BUY, Desk, only


def _listed_while_held():
    desk = Desk(symbol_blocks={"symbols": []})
    desk.trade(None, contract=ES, side=SIDE_BUY, size=1)
    desk.long(1, ES, 6000)
    since = desk.now
    desk.engine.settings = FixedRules(only(symbol_blocks={"symbols": ["ES"]}))
    out = desk.engine.recheck(desk.now)
    return out.decisions, since


def test_the_lock_of_a_newly_listed_symbol_is_said_once_with_its_close():
    decisions, since = _listed_while_held()
    # risk's record: one, the close that takes the lock (trial 17a finding 8: two records,
    # the lock's and the close's, read as two breaches in history and in the alert)
    assert len(decisions) == 1, [d.what for d in decisions]
    lines = acted_lines("symbol_blocks", decisions, since, {1001}, {"1001": "Demo 1"})
    assert lines == ["acted at once on Demo 1 (id 1001): close the ES position; lock ES on the "
                     "account (manual) (sent now; `riskctl history` shows its outcome)"], lines


def test_a_lock_with_nothing_held_is_still_said():
    """Trial17g section 6: the answer read "lock ES on the account (manual) (sent now; ...)",
    though nothing was sent: it says the symbol is locked, until when, and that nothing held
    in it is closed (why the edit asked nothing: docs/rules.md)."""
    desk = Desk(symbol_blocks={"symbols": []})
    since = desk.now
    desk.engine.settings = FixedRules(only(symbol_blocks={"symbols": ["ES"]}))
    out = desk.engine.recheck(desk.now)
    lines = acted_lines("symbol_blocks", out.decisions, since, {1001}, {"1001": "Demo 1"})
    assert lines == ["acted at once on Demo 1 (id 1001): ES is locked now, while ES is listed "
                     "in symbol_blocks (an admin's unlock does not free it: ES's next trade is "
                     "closed and ES locked again); "
                     "nothing is held in ES, so nothing is closed or cancelled"], lines
