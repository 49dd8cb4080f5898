"""A per-position open-loss limit past 100 % while lockout enforcement's close of that
position is on its way is recorded, once, saying why nothing more is sent.

Trial17b section 6 (2 of 2): a self-locked account (its flatten done), enforcement stopped,
a buy of MNQ 2 (lockout enforcement's close pending), then the price fell: status showed
daily_unrealized_loss at 140 % with no note, and history, the log and LAST ACTIONS had nothing
of it. Its close is the very command in flight (the lockout's close of the contract), so it
was dropped unsaid. docs/rules.md: a rule that takes no lockout of its own still acts under a
lockout (Actions are never dropped) and LAST ACTIONS shows it; docs/alerts.md: beside
lockout enforcement's close it is logged only, and in `riskctl history`.
"""
from decimal import Decimal

from cli.watch.model import WatchState, build_screen
from cli.watch.view import plain, render
from services.notify.templates import BESIDE_LOCKOUTS_CLOSE, Context, decision_alert
from services.risk.views import account_status
from shared.messages.market import POSITION_LONG, AccountUpdate, MarketSnapshot, PositionUpdate
from tests.unit.cli.screens import CALENDAR, CHICAGO
from tests.unit.risk.desk import MNQ, Desk
from tests.unit.risk.test_riskd_closes_in_a_burst import result
from tests.unit.risk.test_self_lock_nothing_open import synced


def test_an_open_loss_past_its_limit_behind_the_lockouts_close_is_recorded_once():
    # the shipped daily_unrealized_loss of the trial: a limit of 200 per position
    desk = synced(Desk(daily_unrealized_loss={"limit": 200}))
    out, refusal = desk.engine.self_lock(1001, desk.now, session=True, reason="tilt")
    assert refusal == ""
    for cmd in out.commands:                     # its flatten: nothing was open
        result(desk, cmd.id, cmd.action)
    desk.filled(2, MNQ, 21000)                   # bought while locked; enforcement stopped
    [close] = desk.decisions("lockout")
    assert close.action == "close_position" and not close.suppressed
    for price in (20990, 20950, 20900, 20860, 20850, 20840):   # to -320, 160 %
        desk.price(MNQ, price)
    [breach] = desk.decisions("daily_unrealized_loss", acted=False)
    assert breach.action == "close_position" and breach.contract_id == MNQ
    assert breach.suppressed and f"{close.id}.1" in breach.suppressed, breach
    assert "not sent" in breach.what and "lockout" in breach.what, breach.what
    assert breach.beside == f"{close.id}.1"      # notify: logged only, beside that close
    alert = decision_alert(breach, Context(accounts={1001: "Demo 1"}))
    assert alert.kind == BESIDE_LOCKOUTS_CLOSE and "sent beside" not in alert.text, alert.text
    # LAST ACTIONS shows it beside the lockout's close
    state = WatchState()
    state.apply(account_status(desk.engine, 1001, desk.now))
    for d in (close, breach):
        state.apply(d)
    text = plain(render(build_screen(state, desk.now, CHICAGO, CALENDAR), 120, None,
                        unicode=False))
    assert any("daily_unrealized_loss" in ln and "close" in ln
               for ln in text.split("LAST ACTIONS", 1)[1].splitlines()), text


def test_recorded_once_across_a_restart(tmp_path):
    """Risk restarted with the lockout's close still pending: the breach it recorded is read
    back from history, not recorded again on the next price."""
    from services.risk.store import Store
    rules = dict(daily_unrealized_loss={"limit": 200})
    desk = synced(Desk(**rules))
    store, _ = Store.open(str(tmp_path))
    out, _ = desk.engine.self_lock(1001, desk.now, session=True, reason="tilt")
    desk.history.insert(0, out)
    for cmd in out.commands:
        result(desk, cmd.id, cmd.action)
    desk.filled(2, MNQ, 21000)
    desk.price(MNQ, 20900)
    assert len(desk.decisions("daily_unrealized_loss", acted=False)) == 1
    for step in desk.history:                     # every step committed, as the worker does
        store.commit(step, desk.engine)
    store.close()
    later = Desk(**rules)
    later.engine.ids = desk.engine.ids            # the worker's ids are never reused
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    assert later.engine.outbox.entries            # the lockout's close is still pending
    later.engine.apply_snapshot(MarketSnapshot(   # market's: the position still open
        seq=1, epoch=1, accounts=[AccountUpdate(account_id=1001, name="SIM-1",
                                                balance=Decimal(50000), can_trade=True)],
        positions=[PositionUpdate(account_id=1001, position_id=1, contract_id=MNQ,
                                  ts_ns=desk.now, type=POSITION_LONG, size=2,
                                  average_price=Decimal(21000))]), later.now)
    later.price(MNQ, 20880)
    later.price(MNQ, 20870)
    store.close()
    assert later.decisions("daily_unrealized_loss", acted=False) == [], \
        later.decisions(acted=False)
