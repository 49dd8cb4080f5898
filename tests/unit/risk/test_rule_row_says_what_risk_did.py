"""Fresh-user trial 2026-12-05, finding 2: with enforcement stopped and the account already
locked (the trader's own lockout), a trade breaching max_contracts showed on `riskctl status`
"max_contracts 2/1 200% locked already, no new action" while LAST ACTIONS in the same block
said "max_contracts reduce_position pending" and the alert "action waiting: reduce the
position". max_contracts takes no lockout of its own, so a lockout in force does not stand in
for its action (RULES.md, Actions are never dropped): risk decided the reduce. The rule row
says "no new action" only of a rule whose breach risk really recorded with no new action."""
from cli.watch.model import build_screen
from cli.watch.view import plain, render
from services.risk.views import account_status, rule_values
from shared.messages.risk import LOCKED_ALREADY
from tests.unit.cli.screens import CALENDAR, CHICAGO
from tests.unit.risk.desk import MNQ, NQ, SIDE_SELL, Desk
from cli.watch.model import WatchState
from tests.unit.risk.test_self_lock_nothing_open import synced
from tests.unit.risk.test_breach_while_locked import restarted_under_a_lockout
from tests.unit.risk.test_riskd_closes_in_a_burst import result


def locked_then_over_the_limit() -> Desk:
    desk = synced(Desk(max_contracts={"limit": 1}))        # risk knows the account whole
    out, refusal = desk.engine.self_lock(1001, desk.now, session=True, reason="done for today")
    assert refusal == "" and out.lockouts
    for cmd in out.commands:                   # its flatten: the account was flat
        result(desk, cmd.id, cmd.action)
    desk.filled(2, MNQ, 21000)                 # 2 contracts on a locked account, limit 1
    return desk


def test_a_rule_that_acted_under_a_lockout_is_not_said_to_have_taken_no_action():
    desk = locked_then_over_the_limit()
    [reduce] = desk.decisions("max_contracts")
    assert reduce.action == "reduce_position" and not reduce.suppressed   # risk decided it
    values = {v.rule: v for v in rule_values(desk.engine, 1001, desk.now)}
    assert values["max_contracts"].progress > 1
    assert LOCKED_ALREADY not in values["max_contracts"].detail, values["max_contracts"]
    state = WatchState()
    state.apply(account_status(desk.engine, 1001, desk.now))
    state.apply(reduce)
    text = plain(render(build_screen(state, desk.now, CHICAGO, CALENDAR), 120, None,
                        unicode=False))
    [row] = [ln for ln in text.splitlines() if ln.startswith("max_contracts ")]
    assert "no new action" not in row, text
    assert any("reduce_position" in ln and "pending" in ln for ln in text.splitlines()), text


def test_a_rule_whose_breach_was_recorded_with_no_action_still_says_so():
    desk = Desk(daily_realized_loss={"limit": 500}, daily_net_loss={"limit": 400})
    desk.long(1, MNQ, 21000)
    desk.trade("-450", contract=NQ, side=SIDE_SELL)        # daily_net_loss: flatten, lock
    desk.trade("-161.18", contract=NQ, side=SIDE_SELL)     # daily_realized_loss: no new action
    state = WatchState()
    state.apply(account_status(desk.engine, 1001, desk.now))
    text = plain(render(build_screen(state, desk.now, CHICAGO, CALENDAR), 120, None,
                        unicode=False))
    [row] = [ln for ln in text.splitlines() if ln.startswith("daily_realized_loss ")
             and "[" not in ln]                             # the RULES row, not the bar
    assert row.rstrip().endswith(LOCKED_ALREADY), text


def test_after_a_restart_the_row_still_says_what_risk_did(tmp_path):
    later, store = restarted_under_a_lockout(tmp_path)
    later.trade("-5", contract=NQ, side=SIDE_SELL, trade_id=99)     # its reading, as before
    values = {v.rule: v for v in rule_values(later.engine, 1001, later.now)}
    store.close()
    assert values["daily_realized_loss"].detail.endswith(f"; {LOCKED_ALREADY}"), values


def test_a_window_reading_keeps_its_window_beside_risks_note():
    """'per hour' is read at the end of the detail: risk's note after it hid the window."""
    from tests.unit.cli.screens import NOW, account, lockout, rule, state
    hourly = rule("trade_frequency_limit", 12, 10, 1.2,
                  detail=f"12 of 10 trades per hour; {LOCKED_ALREADY}")
    s = state(account(rules=[hourly], lockouts=[lockout(rule_name="daily_net_loss")]))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 120, None, unicode=False))
    [row] = [ln for ln in text.splitlines() if ln.startswith("trade_frequency_limit ")]
    assert "12/10 per hour 120% locked already, no new action" in row, row
