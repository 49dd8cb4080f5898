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


def test_positions_open_at_15_00_are_flattened_by_the_clock_one_breach():
    """RULES.md rule 9: "the session ends with positions open | ... flatten at session end |
    until-session": one breach for the end, a flatten locking the account until the next
    session (round 21, rules21: it was one close per contract, each its own breach)."""
    desk = Desk(start=chi(2026, 11, 25, 14, 59), session_block_outside=RTH)
    desk.long(1, MNQ, 21000)
    desk.short(2, ES, 6000)
    assert desk.wait(59).decisions == []
    out = desk.at(chi(2026, 11, 25, 15))
    [d] = out.decisions
    assert (d.action, d.contract_id, d.reason) == ("flatten", None,
                                                   "the session ended with ES, MNQ open")
    assert (d.lock.kind, d.lock.symbol, d.lock.until_ns) == (
        "until_session", None, chi(2026, 11, 26, 8, 30))
    assert [c.action for c in out.commands] == ["flatten"]
    for _ in range(3):          # the clock's next sweeps, the flatten still on its way
        later = desk.wait(0.2)
        assert later.decisions == [] and later.commands == [], later.decisions


def test_with_sessions_of_their_own_each_contract_is_closed_on_its_own():
    """A symbol with a session of its own may still trade when the default session ends: a
    flatten would close it there, so each contract outside its session is closed alone."""
    rules = dict(RTH, sessions={"ES": {"start": "17:00", "end": "16:00",
                                       "timezone": "America/Chicago",
                                       "days": ["mon", "tue", "wed", "thu", "fri"]}})
    desk = Desk(start=chi(2026, 11, 25, 14, 59), session_block_outside=rules)
    desk.long(1, MNQ, 21000)
    desk.short(2, ES, 6000)
    out = desk.at(chi(2026, 11, 25, 15))
    assert [(d.action, d.contract_id) for d in out.decisions] == [("close_position", MNQ)]


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


def test_session_end_flattens_a_position_with_its_orders_said_once():
    """Fresh-user trial 21b, finding 5: MNQ long 1 with its stop and target, and an ES entry
    order, at the session's end: four breaches, the stop said twice, the target "nothing to
    do". Now one breach (RULES.md: flatten at session end): the flatten closes MNQ and cancels
    every working order of the account, the ES order included, none said on its own."""
    desk = Desk(start=chi(2026, 11, 25, 14, 59), session_block_outside=RTH)
    desk.filled(1, MNQ, 21000)
    desk.stop(38, MNQ, SIDE_SELL, 1, 20900)
    desk.order(39, MNQ, SIDE_SELL, 1, limit_price=21200)
    desk.order(40, ES, SIDE_BUY, 1, limit_price=5000)
    assert desk.decisions() == []
    out = desk.at(chi(2026, 11, 25, 15))
    assert [(d.action, d.contract_id, d.order_id) for d in out.decisions] == [
        ("flatten", None, None)], out.decisions
    assert [(c.action, c.contract_id) for c in out.commands] == [("flatten", None)]
    for _ in range(3):          # the clock's next sweeps, the flatten still on its way
        later = desk.wait(0.2)
        assert later.decisions == [] and later.commands == [], later.decisions


def test_an_order_alone_at_session_end_is_cancelled_on_its_own():
    """With no position open the end has nothing to flatten: an order outside the session is
    cancelled, its symbol locked, as any order outside the session is."""
    desk = Desk(start=chi(2026, 11, 25, 14, 59), session_block_outside=RTH)
    desk.order(40, ES, SIDE_BUY, 1, limit_price=5000)
    out = desk.at(chi(2026, 11, 25, 15))
    assert [(d.action, d.order_id, d.lock.symbol) for d in out.decisions] == [
        ("cancel_orders", 40, "ES")], out.decisions


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


def test_the_session_end_alert_is_one_block_naming_what_was_open():
    """Fresh-user trial 21b, finding 5: the alert's head line named one lock and "also until"
    another, in two breach blocks. Now one flatten: the account locked until the session, one
    block saying what was open."""
    from services.notify.steps import step_alert
    from services.notify.templates import Context
    from tests.unit.risk.desk import CHI
    desk = Desk(start=chi(2026, 11, 25, 14, 59), session_block_outside=RTH)
    desk.filled(1, MNQ, 21000)
    desk.order(40, ES, SIDE_BUY, 1, limit_price=5000)
    out = desk.at(chi(2026, 11, 25, 15))
    alert = step_alert([*out.lockouts, *out.decisions], Context(tz=CHI, accounts={1001: "Demo"}))
    head = alert.text.splitlines()[0]
    assert head == "🔒 Demo (id 1001) locked until Thu 08:30 CST (session_block_outside)", \
        alert.text
    assert alert.text.count("Breach session_block_outside") == 1, alert.text
    assert "the session ended with MNQ open" in alert.text, alert.text
