"""session_block_outside: trading outside the session is cancelled/closed, and positions are
closed when the session ends."""
import datetime as dt

from tests.unit.risk.desk import ES, MNQ, SIDE_BUY, SIDE_SELL, Desk, chi

RTH = {"default": {"start": "08:30", "end": "15:00", "timezone": "America/Chicago",
                   "days": ["mon", "tue", "wed", "thu", "fri"]}}


def test_an_order_placed_at_7am_is_cancelled_and_mnq_locked_until_8_30():
    desk = Desk(start=chi(2026, 11, 25, 7), session_block_outside=RTH)
    [d] = desk.order(11, MNQ).decisions
    assert (d.action, d.order_id) == ("cancel_orders", 11)
    assert d.lock.kind == "until_session" and d.lock.symbol == "MNQ"
    assert d.lock.until_ns == chi(2026, 11, 25, 8, 30)


def test_a_position_at_10am_is_inside_the_session_a_near_miss():
    desk = Desk(start=chi(2026, 11, 25, 10), session_block_outside=RTH)
    assert desk.long(1, MNQ, 21000).decisions == []
    assert desk.order(12, MNQ).decisions == []


def test_positions_open_at_15_00_are_closed_by_the_clock():
    desk = Desk(start=chi(2026, 11, 25, 14, 59), session_block_outside=RTH)
    desk.long(1, MNQ, 21000)
    desk.short(2, ES, 6000)
    assert desk.wait(59).decisions == []
    out = desk.at(chi(2026, 11, 25, 15))
    assert sorted((d.action, d.contract_id) for d in out.decisions) == [
        ("close_position", ES), ("close_position", MNQ)]


def test_per_symbol_overnight_session():
    rules = dict(RTH, sessions={"ES": {"start": "17:00", "end": "16:00",
                                       "timezone": "America/Chicago",
                                       "days": ["mon", "tue", "wed", "thu", "fri"]}})
    desk = Desk(start=chi(2026, 11, 24, 22), session_block_outside=rules)
    assert desk.filled(1, ES, 6000).decisions == []           # ES trades overnight
    [d] = desk.filled(1, MNQ, 21000).decisions                # MNQ only in RTH
    assert d.contract_id == MNQ


def test_the_rules_own_holidays_file_closes_the_session():
    desk = Desk(start=chi(2026, 11, 26, 10), session_block_outside=dict(
        RTH, holidays_file="cme.txt"))
    assert desk.order(1, MNQ).decisions == []                 # no file loaded: a normal day
    desk.engine.holiday_files = {"cme.txt": frozenset({dt.date(2026, 11, 26)})}
    [d] = desk.order(2, MNQ).decisions
    assert d.lock.until_ns == chi(2026, 11, 27, 8, 30)


def test_session_end_closes_a_position_with_its_orders_each_order_said_once():
    """Fresh-user trial 21b, finding 5: MNQ long 1 with its stop and target, and an ES entry
    order, at the session's end: four breaches, the stop counted in the close's "2 orders
    cancelled" and again as "cancelled" on its own line, the target "nothing to do". The close
    cancels every working order of its contract: MNQ's stop and target are its, not lines of
    their own; the ES order, on a contract not closed, is cancelled on its own."""
    desk = Desk(start=chi(2026, 11, 25, 14, 59), session_block_outside=RTH)
    desk.filled(1, MNQ, 21000)
    desk.stop(38, MNQ, SIDE_SELL, 1, 20900)
    desk.order(39, MNQ, SIDE_SELL, 1, limit_price=21200)
    desk.order(40, ES, SIDE_BUY, 1, limit_price=5000)
    assert desk.decisions() == []
    out = desk.at(chi(2026, 11, 25, 15))
    assert sorted((d.action, d.contract_id, d.order_id) for d in out.decisions) == [
        ("cancel_orders", ES, 40), ("close_position", MNQ, None)], out.decisions
    assert sorted((c.action, c.contract_id) for c in out.commands) == [
        ("cancel_orders", ES), ("close_position", MNQ)]
    for _ in range(3):          # the clock's next sweeps, the close still on its way
        later = desk.wait(0.2)
        assert later.decisions == [] and later.commands == [], later.decisions


def test_the_row_says_when_the_session_ends_and_after_it_that_any_new_position_is_closed():
    """Fresh-user trial 21b, finding 5: after the session's end the screens showed only the
    symbols it had locked (MNQ, ES) while a MES bought then was closed too, and before it no
    word of the end to come: the row was the parameters only."""
    from cli.watch.model import WatchState, build_screen
    from cli.watch.view import plain, render
    from services.risk.views import account_status, rule_values
    from tests.unit.cli.screens import CALENDAR, CHICAGO
    from tests.unit.risk.desk import CHI
    desk = Desk(start=chi(2026, 11, 25, 14, 48), session_block_outside=RTH)
    desk.engine.zone = CHI

    def row():
        return {v.rule: v for v in rule_values(desk.engine, 1001, desk.now)}[
            "session_block_outside"].detail

    assert row() == ("session ends Wed 15:00 CST: open positions are closed then, and any "
                     "new position after it"), row()
    desk.at(chi(2026, 11, 25, 15, 0, 1))
    assert row() == ("outside the session until Thu 08:30 CST: any new position is closed, "
                     "any new order cancelled"), row()
    state = WatchState()
    state.apply(account_status(desk.engine, 1001, desk.now))
    text = plain(render(build_screen(state, desk.now, CHICAGO, CALENDAR), 160, None,
                        unicode=False))
    assert "outside the session until Thu 08:30 CST: any new position is closed" in \
        " ".join(text.split()), text


def test_the_session_end_alert_names_each_symbol_it_locks():
    """Fresh-user trial 21b, finding 5: the alert's head line read "MNQ locked until ...
    (session_block_outside); session_block_outside also until ...", the ES lock unnamed."""
    from services.notify.steps import step_alert
    from services.notify.templates import Context
    from tests.unit.risk.desk import CHI
    desk = Desk(start=chi(2026, 11, 25, 14, 59), session_block_outside=RTH)
    desk.filled(1, MNQ, 21000)
    desk.order(40, ES, SIDE_BUY, 1, limit_price=5000)
    out = desk.at(chi(2026, 11, 25, 15))
    alert = step_alert([*out.lockouts, *out.decisions], Context(tz=CHI, accounts={1001: "Demo"}))
    head = alert.text.splitlines()[0]
    assert "MNQ" in head and "ES also locked until Thu 08:30 CST (session_block_outside)" in \
        head or "ES" in head and "MNQ also locked until Thu 08:30 CST" in head, alert.text
    assert alert.text.count("Breach session_block_outside") == 2, alert.text
